"""The staff console in a real browser, with the whole assistant running and Telegram faked locally.

One story, end to end: a resident on the web chat and one on Telegram each write something urgent;
two members of staff see it arrive live (with an alert); one claims; the bot goes silent; staff
replies reach the web chat and Telegram; handing back lets the bot answer again. Resident text is
hostile HTML throughout and must stay inert. Screenshots go to test-output/.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.models import Escalation, Message
from bot.staff.users import create_user
from launcher.fake_telegram import TOKEN, FakeTelegram
from launcher.stack import Stack, isolated_env

pytestmark = [pytest.mark.browser, pytest.mark.stack]
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
]
PASSWORD = "a long enough passphrase"
CHAT = 424242
HOSTILE = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script>'


async def sign_in(context: BrowserContext, base: str, username: str) -> Page:
    page = await context.new_page()
    await page.goto(base + "/staff/queue")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    await expect(page.locator("body")).to_have_attribute("data-live", "yes", timeout=10_000)
    return page


def bot_messages_after(url: str, conversation_id: str, after_id: int) -> list[str]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return list(
                session.scalars(
                    select(Message.text).where(
                        Message.conversation_id == conversation_id, Message.author == "bot", Message.id > after_id
                    )
                )
            )
    finally:
        engine.dispose()


def latest(url: str, model, *where):  # noqa: ANN001, ANN201
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.scalars(select(model).where(*where).order_by(model.id.desc())).first()
    finally:
        engine.dispose()


async def test_the_whole_handoff_on_web_chat_and_telegram(model: Path, tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        env = isolated_env(tmp_path / "staff", TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_URL=fake.base_url)
        stack = Stack(model, env, echo=False)
        await asyncio.to_thread(stack.start)
        db = stack.settings.app_database_url
        engine = create_engine(db)
        with Session(engine) as session, session.begin():
            create_user(session, "sam", "Sam Patel", PASSWORD, ["staff", "admin"])
            create_user(session, "alex", "Alex Jones", PASSWORD, ["staff"])
        engine.dispose()
        base = stack.settings.gateway_url
        OUTPUT.mkdir(exist_ok=True)
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                resident_context = await browser.new_context(viewport={"width": 390, "height": 800})
                sam_context = await browser.new_context(viewport={"width": 1280, "height": 900})
                alex_context = await browser.new_context(viewport={"width": 1280, "height": 900})
                chat = await resident_context.new_page()
                await chat.goto(base + "/")
                log = chat.get_by_role("log")
                await expect(log).to_contain_text("not a person", timeout=60_000)

                sam = await sign_in(sam_context, base, "sam")
                await sam.get_by_role("button", name="Turn on sound alerts").click()
                alex = await sign_in(alex_context, base, "alex")
                await expect(sam.locator("#queue-rows")).to_contain_text("Nothing here right now")

                # 1. A resident writes something urgent (wrapped in hostile HTML) on the web chat.
                await chat.get_by_label("Message").fill(f"{HOSTILE} I want to end my life tonight")
                await chat.get_by_label("Message").press("Enter")
                await expect(log).to_contain_text("116 123", timeout=60_000)

                # 2. Both staff queues update live, with a visible and an audible alert.
                for page in (sam, alex):
                    row = page.locator("#queue-rows tr").first
                    await expect(row).to_contain_text("Urgent", timeout=20_000)
                    await expect(row).to_contain_text("I want to end my life tonight")
                    await expect(row).to_contain_text('<img src=x onerror="window.hacked=1">')
                    await expect(page.get_by_role("alert")).to_contain_text("1 urgent conversation waiting")
                    assert await page.locator("#queue-rows img").count() == 0
                    assert await page.evaluate("window.hacked") is None
                await expect(sam.locator("body")).to_have_attribute("data-alerts", "1")
                await expect(sam.locator("body")).to_have_attribute("data-beeps", "1")
                await sam.screenshot(path=str(OUTPUT / "staff-queue.png"), full_page=True)

                escalation = latest(db, Escalation, Escalation.channel == "web")
                conversation_id = escalation.conversation_id
                assert escalation.level == "urgent" and "suicide" in escalation.risk_types

                # 3. Both open it; Sam claims; Alex's page changes live and offers no claim.
                await alex.locator("#queue-rows a").first.click()
                await expect(alex.get_by_text("The bot is answering this conversation.")).to_be_visible()
                await sam.locator("#queue-rows a").first.click()
                await expect(sam.locator(".msg.trigger")).to_contain_text("I want to end my life tonight")
                await expect(sam.locator(".msg.trigger")).to_contain_text("This message raised the alert")
                await sam.get_by_role("button", name="Claim and take over").click()
                await expect(sam.get_by_role("status")).to_contain_text("You have this conversation")
                await expect(alex.locator("#status")).to_contain_text("Sam Patel has this conversation", timeout=10_000)
                await expect(alex.get_by_role("button", name="Claim and take over")).to_have_count(0)
                await expect(log).to_contain_text("Hello, this is Sam Patel", timeout=10_000)
                claimed_at = latest(db, Message, Message.conversation_id == conversation_id).id

                # 4. The bot is silent: the resident writes (risky again); only Sam sees it.
                await chat.get_by_label("Message").fill("I'm scared and I have the pills here")
                await chat.get_by_label("Message").press("Enter")
                await expect(sam.locator(".transcript")).to_contain_text("I have the pills here", timeout=10_000)
                await asyncio.sleep(3 * stack.settings.safety_net_seconds)
                assert bot_messages_after(db, conversation_id, claimed_at) == []

                # 5. Sam replies (a canned reply, edited); it reaches the web chat.
                await sam.get_by_text("Canned replies").click()
                await sam.get_by_role("button", name="Are you safe?").click()
                box = sam.get_by_label("Reply to the resident")
                await expect(box).to_have_value(re.compile("are you safe right now"))
                await box.fill("I'm here with you now. Could you put the pills in another room for me?")
                await sam.get_by_role("button", name="Send reply").click()
                await expect(log).to_contain_text("put the pills in another room", timeout=10_000)
                await expect(alex.locator(".transcript")).to_contain_text("put the pills in another room")
                await sam.get_by_label("Private note").fill("Agreed to move the tablets. Daughter nearby.")
                await sam.get_by_role("button", name="Save note").click()
                await expect(sam.locator(".notes")).to_contain_text("Daughter nearby")
                assert await sam.locator(".transcript img").count() == 0
                assert await sam.evaluate("window.hacked") is None
                await sam.screenshot(path=str(OUTPUT / "staff-conversation.png"), full_page=True)

                # 6. The same on Telegram.
                await fake.send(fake.update(message=fake.message(CHAT, "/start")))
                await fake.wait_for_text(CHAT, "not a person", timeout=60)
                await fake.send(fake.update(message=fake.message(CHAT, "I'm going to kill myself")))
                await fake.wait_for_text(CHAT, "116 123", timeout=60)
                await sam.goto(base + "/staff/queue?channel=telegram")
                await expect(sam.locator("#queue-rows tr").first).to_contain_text("telegram", timeout=20_000)
                await sam.locator("#queue-rows a").first.click()
                await sam.get_by_role("button", name="Claim and take over").click()
                await fake.wait_for_text(CHAT, "Hello, this is Sam Patel")
                telegram_id = latest(db, Escalation, Escalation.channel == "telegram").conversation_id
                telegram_claimed = latest(db, Message, Message.conversation_id == telegram_id).id
                await fake.send(fake.update(message=fake.message(CHAT, "hello? is anyone there")))
                await expect(sam.locator(".transcript")).to_contain_text("is anyone there", timeout=30_000)
                await sam.get_by_label("Reply to the resident").fill("Yes, it's Sam. I'm reading everything you write.")
                await sam.get_by_role("button", name="Send reply").click()
                await fake.wait_for_text(CHAT, "I'm reading everything you write")
                assert bot_messages_after(db, telegram_id, telegram_claimed) == []
                await sam.get_by_role("button", name="Hand back to the bot").click()
                await fake.wait_for_text(CHAT, "handed you back")
                await fake.send(fake.update(message=fake.message(CHAT, "what can you do?")))
                await fake.wait_for_text(CHAT, "I can listen", timeout=60)
                await sam.get_by_label("Resolve with outcome").select_option("supported")
                await sam.get_by_role("button", name="Resolve").click()
                await expect(sam.get_by_role("status")).to_contain_text("Resolved")

                # 7. Hand the web conversation back: the resident is told, and the bot answers again.
                await sam.goto(f"{base}/staff/conversations/{conversation_id}")
                await sam.get_by_role("button", name="Hand back to the bot").click()
                await expect(log).to_contain_text("handed you back", timeout=10_000)
                await chat.get_by_label("Message").fill("what can you do?")
                await chat.get_by_label("Message").press("Enter")
                await expect(log).to_contain_text("I can listen", timeout=60_000)
                assert bot_messages_after(db, conversation_id, claimed_at)
                await sam.get_by_label("Resolve with outcome").select_option("callback")
                await sam.get_by_label("What happened").fill("Daughter with her; duty team calling tomorrow.")
                await sam.get_by_role("button", name="Resolve").click()
                await expect(sam.get_by_role("status")).to_contain_text("Resolved")
                assert latest(db, Escalation, Escalation.conversation_id == conversation_id).status == "resolved"

                # 8. Reports, and the audit log records who looked at what.
                await sam.goto(base + "/staff/reports")
                await expect(sam.locator("svg.chart")).to_have_count(6)
                await sam.screenshot(path=str(OUTPUT / "staff-reports.png"), full_page=True)
                await sam.goto(base + "/staff/admin/audit")
                audit_log = sam.locator("table")
                for action in ("view", "claim", "reply", "hand_back", "resolve", "note"):
                    await expect(audit_log).to_contain_text(action)
                await expect(audit_log).to_contain_text("Alex Jones (alex)")
                await browser.close()
        finally:
            await asyncio.to_thread(stack.stop)
