"""A string and dict workload: count the words of a text, case and punctuation ignored.

    python -m fastkern anatomy words:word_counts --quick      (from this folder)
"""

import numpy as np

import fastkern

VOCABULARY = ("the", "Python", "interpreter", "spends", "its", "time", "on", "dispatch,", "boxing",
              "and", "reference", "counting;", "compiled", "code", "avoids", "some.", "(Why?)")


def sample_text(words: int) -> tuple:
    """``words`` words drawn from a fixed vocabulary, the same for the same count."""
    picks = np.random.default_rng(words).integers(0, len(VOCABULARY), words)
    return (" ".join(VOCABULARY[i] for i in picks),)


@fastkern.kernel(sample=sample_text, unit="word", sizes=(1_000, 100_000))
def word_counts(text: str) -> dict:
    """How often each word occurs in ``text``, lower-cased and stripped of punctuation."""
    counts = {}
    for word in text.lower().split():
        word = word.strip(".,;:!?()\"'")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts
