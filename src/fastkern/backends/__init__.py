"""One module per backend, each defining the kernels it implements under their own names."""
