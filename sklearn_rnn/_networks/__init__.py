"""Every torch module of the library: the networks the estimators train, their losses and output heads."""
