"""Notifications: an outbox addressed to staff (by role and team), and channels that deliver it."""

from .channels import Channel, DeliveryFailed, SmtpChannel
from .directory import IdentityRecipients
from .message import Notification, compose
from .outbox import SCHEMA, Recipients, add, deliver_pending, for_staff

__all__ = [
    "SCHEMA",
    "Channel",
    "DeliveryFailed",
    "IdentityRecipients",
    "Notification",
    "Recipients",
    "SmtpChannel",
    "add",
    "compose",
    "deliver_pending",
    "for_staff",
]
