"""The SMTP transport against the lab's Postfix, once as Postfix offers itself (PIPELINING) and
once without it (smtplib's one command at a time): what arrives, and how each refusal is worded
and sorted into permanent or transient, with the connection going on after it."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from mailbot.cli.demo import BOT, EMPLOYEE
from mailbot.core.errors import PermanentError, TransientError
from mailbot.mail.smtp import SmtpTransport
from mailbot.testing.labserver import REFUSED_HEADER, REFUSING
from tests.mailserver import Bot, parse


@pytest.fixture(params=["pipelined", "one command at a time"])
def transport(request: pytest.FixtureRequest, bot: Bot) -> Iterator[SmtpTransport]:
    t = bot.worker.transport(next(iter(bot.worker.mailboxes)))
    t.connect()
    assert t.conn is not None and t.conn.has_extn("pipelining"), "the lab's Postfix offers PIPELINING"
    if request.param != "pipelined":
        del t.conn.esmtp_features["pipelining"]
    yield t
    t.close()


def _mail(subject: str, body: str, *headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = BOT, EMPLOYEE, subject
    for line in headers:
        name, value = line.split(": ", 1)
        msg[name] = value
    msg.set_content(body)
    return bytes(msg)


def test_mails_over_one_connection_arrive_whole(bot: Bot, transport: SmtpTransport) -> None:
    """Lines starting with a dot survive (dot-stuffing), with LF or CRLF line ends, and a
    message not ending in a line end is ended properly."""
    body = "Eerste regel.\n.Deze regel begint met een punt.\n..en deze met twee.\n.\nEinde."
    transport.send(BOT, EMPLOYEE, _mail("een", body))
    transport.send(BOT, EMPLOYEE, _mail("twee", body).replace(b"\n", b"\r\n"))
    transport.send(BOT, EMPLOYEE, _mail("drie", body).rstrip(b"\n"))
    got = sorted((parse(m) for m in bot.lab.wait_for(EMPLOYEE, 3)), key=lambda m: str(m["Subject"]))
    assert [str(m["Subject"]) for m in got] == ["drie", "een", "twee"]
    for m in got:
        payload = m.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode().replace("\r\n", "\n")
        assert text.rstrip("\n") == body


def test_a_refused_recipient_is_permanent_and_the_next_mail_goes(bot: Bot, transport: SmtpTransport) -> None:
    conn = transport.conn
    with pytest.raises(PermanentError, match=rf"{REFUSING} refused: 554 5\.7\.1 .*Access denied"):
        transport.send(BOT, REFUSING, _mail("geweigerd", "Gaat niet aankomen."))
    transport.send(BOT, EMPLOYEE, _mail("daarna", "Komt wel aan."))
    assert transport.conn is conn, "a refusal keeps the connection"
    (got,) = bot.lab.wait_for(EMPLOYEE, 1)
    assert parse(got)["Subject"] == "daarna"


def test_a_refused_sender_is_permanent(bot: Bot, transport: SmtpTransport) -> None:
    with pytest.raises(PermanentError, match=r"SMTP 501 5\.1\.7 Bad sender address syntax"):
        transport.send("meldpunt@", EMPLOYEE, _mail("afzender", "Ongeldige afzender."))
    transport.send(BOT, EMPLOYEE, _mail("daarna", "Komt wel aan."))
    (got,) = bot.lab.wait_for(EMPLOYEE, 1)
    assert parse(got)["Subject"] == "daarna"


def test_a_message_refused_after_its_content_is_permanent(bot: Bot, transport: SmtpTransport) -> None:
    """The recipient is taken and the content sent; Postfix refuses the message itself."""
    with pytest.raises(PermanentError, match=r"SMTP 550 5\.7\.1 .*the lab refuses this message"):
        transport.send(BOT, EMPLOYEE, _mail("inhoud", "Wordt geweigerd.", REFUSED_HEADER))
    transport.send(BOT, EMPLOYEE, _mail("daarna", "Komt wel aan."))
    (got,) = bot.lab.wait_for(EMPLOYEE, 1)
    assert parse(got)["Subject"] == "daarna"


def test_a_non_ascii_address_without_smtputf8_is_permanent(transport: SmtpTransport) -> None:
    """The lab's Postfix does not offer SMTPUTF8: nothing is sent, and the error says why."""
    with pytest.raises(PermanentError, match="does not take non-ASCII addresses"):
        transport.send(BOT, "jösé@example.org", _mail("utf8", "Niet te bezorgen."))


@pytest.mark.parametrize(
    "recipient",
    [
        f"nobody@example.org>\r\nRCPT TO:<{EMPLOYEE}",
        f"nobody@example.org, {EMPLOYEE}",
        "nobody\x85@example.org",
    ],
)
def test_an_address_that_is_not_one_clean_address_is_refused_before_smtp(
    bot: Bot, transport: SmtpTransport, recipient: str
) -> None:
    """A line break in RCPT TO would be a command of its own (here: a second recipient). Such an
    address, a list, a display name or a control character is refused before anything is
    written to the server, permanently, with the reason; the connection goes on."""
    conn = transport.conn
    with pytest.raises(PermanentError, match=r"not sent: the address (contains an invisible control|is not a single)"):
        transport.send(BOT, recipient, _mail("ingevoegd", "Mag nergens aankomen."))
    transport.send(BOT, EMPLOYEE, _mail("daarna", "Komt wel aan."))
    assert transport.conn is conn
    (got,) = bot.lab.wait_for(EMPLOYEE, 1)
    assert parse(got)["Subject"] == "daarna"
    assert bot.lab.wait_for(EMPLOYEE, 2, timeout=2) == [got], "nothing reached the injected recipient"


def test_a_lost_connection_is_transient_and_the_next_send_reconnects(bot: Bot, transport: SmtpTransport) -> None:
    transport.send(BOT, EMPLOYEE, _mail("voor", "Voor de onderbreking."))
    bot.lab.stop_postfix()
    try:
        with pytest.raises(TransientError):
            transport.send(BOT, EMPLOYEE, _mail("kwijt", "Tijdens de onderbreking."))
        assert transport.conn is None, "a lost connection is dropped"
    finally:
        bot.lab.start_postfix()
    transport.send(BOT, EMPLOYEE, _mail("na", "Na de onderbreking."))
    got = {str(parse(m)["Subject"]) for m in bot.lab.wait_for(EMPLOYEE, 2)}
    assert got == {"voor", "na"}


def test_too_many_refusals_end_the_connection_and_the_next_send_reconnects(bot: Bot, transport: SmtpTransport) -> None:
    """Postfix answers 421 and hangs up after 20 errors in one session (smtpd_hard_error_limit):
    a batch of refused addresses. Pipelined, the hang-up comes in answer to the RSET after a
    refusal, and the next mail reconnects; one command at a time, smtplib does not look at that
    answer, so the next mail finds the connection gone and is put off (transient), not failed."""
    pipelined = transport.conn is not None and transport.conn.has_extn("pipelining")
    connections = [transport.conn]  # held, so no two can share an id
    errors: list[Exception] = []
    for _ in range(25):
        try:
            transport.send(BOT, REFUSING, _mail("geweigerd", "Gaat niet aankomen."))
        except (PermanentError, TransientError) as exc:
            errors.append(exc)
        if transport.conn is not None and all(c is not transport.conn for c in connections):
            connections.append(transport.conn)
    assert len(errors) == 25
    transient = [e for e in errors if isinstance(e, TransientError)]
    assert len(transient) == (0 if pipelined else 1), transient
    assert len(connections) > 1, "the server hung up at least once"
    transport.send(BOT, EMPLOYEE, _mail("daarna", "Komt wel aan."))
    (got,) = bot.lab.wait_for(EMPLOYEE, 1)
    assert parse(got)["Subject"] == "daarna"
