"""sop-sync: run an application-development SOP inside the issue tracker."""

__version__ = "0.1.0"
