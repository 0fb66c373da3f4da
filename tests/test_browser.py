"""The web chat in a real browser (Debian's Chromium driven by Playwright), against the real stack."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright, expect

from launcher.stack import Stack
from tests.helpers import bearer

pytestmark = pytest.mark.browser
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture
async def page(stack: Stack) -> Page:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = await browser.new_context(viewport={"width": 390, "height": 800})
        page = await context.new_page()
        await page.goto(stack.settings.gateway_url + "/")
        yield page
        await browser.close()


async def test_chat_by_keyboard_survives_a_reload_and_shows_hostile_text_inert(page: Page) -> None:
    log = page.get_by_role("log")
    await expect(log).to_contain_text("not a person", timeout=30_000)
    await expect(log).to_contain_text("forget me")
    # Keyboard only: tab to a quick reply and press it.
    button = page.get_by_role("button", name="I feel lonely")
    await button.focus()
    await page.keyboard.press("Enter")
    await expect(log).to_contain_text(
        re.compile("lonely can be really hard|sorry you're feeling lonely|That sounds lonely|courage to say"),
        timeout=30_000,
    )
    box = page.get_by_label("Message")
    await box.fill("<img src=x onerror=\"document.title='hacked'\"><b>bold?</b>")
    await box.press("Enter")
    await expect(log).to_contain_text("<b>bold?</b>", timeout=10_000)
    assert await page.locator(".log img").count() == 0
    assert await page.locator(".log b").count() == 0
    assert await page.title() != "hacked"
    await page.reload()
    await expect(page.get_by_role("log")).to_contain_text("<b>bold?</b>", timeout=30_000)
    await expect(page.get_by_role("log")).to_contain_text("not a person")
    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "web-chat.png"), full_page=True)


async def test_empty_message_is_refused_kindly_in_the_page(page: Page) -> None:
    await expect(page.get_by_role("log")).to_contain_text("not a person", timeout=30_000)
    await page.get_by_label("Message").press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("Type a message first")


async def test_large_text_switch_and_no_serious_accessibility_violations(page: Page) -> None:
    await expect(page.get_by_role("log")).to_contain_text("not a person", timeout=30_000)
    before = await page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    await page.get_by_label("Larger text").check()
    after = await page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert after >= before * 1.3
    results = await Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"]) for v in serious]


async def test_a_carer_finds_respite_and_sets_a_reminder_with_buttons(page: Page) -> None:
    """A whole conversation in the page: typing, quick replies, suggestion cards and their buttons."""
    log = page.get_by_role("log")
    await expect(log).to_contain_text("not a person", timeout=30_000)
    box = page.get_by_label("Message")
    await box.fill("I look after my husband, he has dementia")
    await box.press("Enter")
    await expect(log).to_contain_text("husband", timeout=30_000)
    await box.fill("I need a break from caring")
    await box.press("Enter")
    await expect(log).to_contain_text("Whereabouts are you?", timeout=30_000)
    await expect(page.get_by_role("button", name="Use my location")).to_be_visible()
    await box.fill("BS7")
    await box.press("Enter")
    await page.get_by_role("button", name="No, either is fine").click(timeout=30_000)
    await expect(log).to_contain_text("carer's assessment", timeout=30_000)
    await page.get_by_role("button", name="Remind me").first.click()
    await expect(log).to_contain_text("Afterwards I'll ask how it went", timeout=30_000)
    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "web-chat-suggestions.png"), full_page=True)


async def test_the_page_works_at_200_percent_text_on_a_phone(page: Page) -> None:
    """WCAG 1.4.4: at twice the text size nothing is cut off and nothing scrolls sideways."""
    await expect(page.get_by_role("log")).to_contain_text("not a person", timeout=30_000)
    await page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    for control in (page.get_by_label("Message"), page.get_by_role("button", name="Send")):
        await expect(control).to_be_visible()
        box = await control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 391
    await page.screenshot(path=str(OUTPUT / "web-chat-200-percent.png"), full_page=True)


async def test_a_message_typed_offline_is_sent_once_when_the_connection_returns(page: Page, stack: Stack) -> None:
    log = page.get_by_role("log")
    await expect(log).to_contain_text("How are you today?", timeout=30_000)
    before = await page.locator(".msg.bot").count()
    await page.context.set_offline(True)
    box = page.get_by_label("Message")
    await box.fill("I watched a good film last night")
    await box.press("Enter")
    await expect(page.locator("#status")).to_contain_text("offline", timeout=10_000)
    await page.context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    # A function, not an expression: Playwright evals an expression in the page, which its CSP forbids.
    await page.wait_for_function(f"() => document.querySelectorAll('.msg.bot').length > {before}", timeout=30_000)
    token = await page.evaluate("localStorage.getItem('kindred.token')")
    async with aiohttp.ClientSession() as http:
        url = f"{stack.settings.gateway_url}/api/chat/history"
        async with http.get(url, headers=bearer(token)) as response:
            messages = (await response.json())["messages"]
    mine = [m for m in messages if m["author"] == "resident" and m["text"] == "I watched a good film last night"]
    assert len(mine) == 1
