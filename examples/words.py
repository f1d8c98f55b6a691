"""A string and dict workload: count the words of a text, case and punctuation ignored.

    python examples/words.py [WORDS]        prints the anatomy of word_counts (a quick pass)
    python -m fastkern anatomy words:word_counts --quick      (the same, from examples/)
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


if __name__ == "__main__":
    import sys

    print(fastkern.anatomy(word_counts, int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, quick=True,
                           progress=True))
