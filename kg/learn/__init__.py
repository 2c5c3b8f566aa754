"""The learned part of the extractor: our own annotations and the model trained on them."""
