"""Notifications: an outbox addressed to staff (by role and team), and channels that deliver it."""

from .channels import Channel, DeliveryFailed, SmtpChannel
from .message import Notification, compose
from .outbox import SCHEMA, add, deliver_pending, for_staff

__all__ = [
    "SCHEMA",
    "Channel",
    "DeliveryFailed",
    "Notification",
    "SmtpChannel",
    "add",
    "compose",
    "deliver_pending",
    "for_staff",
]
