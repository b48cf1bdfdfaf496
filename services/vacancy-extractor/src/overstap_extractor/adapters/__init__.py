"""What the service plugs in from outside its domain: the trained classifier (``classifier``)."""
