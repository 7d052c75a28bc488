"""Delivery channels behind one interface: e-mail through SMTP today, SMS later."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol

from .message import Notification


class DeliveryFailed(RuntimeError):
    """The channel could not hand the notification over; the outbox keeps it for a retry."""


class Channel(Protocol):
    """Something that hands a notification to an address (a mailbox, later a phone)."""

    async def send(self, address: str, notification: Notification) -> None:
        """Deliver or raise DeliveryFailed."""
        ...


class SmtpChannel:
    """E-mail through an SMTP relay (STARTTLS and login when configured)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout

    def _message(self, address: str, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = f"[Uponyaji] {notification.subject}"
        message["Message-ID"] = f"<{notification.notification_id}@uponyaji>"
        message.set_content(notification.text)
        return message

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)

    async def send(self, address: str, notification: Notification) -> None:
        """Send one e-mail (in a worker thread: smtplib blocks)."""
        message = self._message(address, notification)
        try:
            await asyncio.to_thread(self._send, message)
        except (OSError, smtplib.SMTPException) as problem:
            raise DeliveryFailed(f"SMTP {self.host}:{self.port}: {problem}") from problem
