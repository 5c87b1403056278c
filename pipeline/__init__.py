"""Who said what about which issue: a staged quote-attribution pipeline for news text."""

__version__ = "0.1.0"
