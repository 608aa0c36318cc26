"""dsvb: oversight of the police and partner response to domestic and sexual violence."""

__version__ = "0.1.0"
