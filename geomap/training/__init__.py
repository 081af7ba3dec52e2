"""Training the resolver's ranker from gold corpora and reviewers' decisions (``geomap train``)."""
