"""The fuzz suite of issue #8: every case of the campaign as a fixture, and hypothesis over
YAML text and scenario values, each checked against the command line's contract."""
