"""The request doctor: check an image request a person wrote (JSON or curl) against the
rules of its endpoint, explain each problem with the API's own words, and fix it."""

from visiondesk.doctor.endpoints import Endpoint, UnknownEndpoint
from visiondesk.doctor.inputs import UnusableInput
from visiondesk.doctor.report import EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, Report, diagnose

__all__ = [
    "EXIT_ERRORS",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "Endpoint",
    "Report",
    "UnknownEndpoint",
    "UnusableInput",
    "diagnose",
]
