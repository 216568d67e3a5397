"""What a driver does on the phone page, step by step (shared by the browser tests and the embedded journey)."""

import io
import json

from PIL import Image


def config(page) -> dict:
    return json.loads(page.locator("#driver-config").text_content())


def scan(page, code):
    page.fill("#scan", code)
    page.press("#scan", "Enter")


def current_stop(page) -> dict:
    stop_id = int(page.locator("#next-stop").get_attribute("data-stop"))
    return next(s for s in config(page)["stops"] if s["id"] == stop_id)


def photo_file(tmp_path, name="door.jpg"):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def sign(page):
    box = page.locator("#signature").bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(x + step * 30, y + (12 if step % 2 else -12))
    page.mouse.up()


def add_photo(page, path):
    page.set_input_files("#photo", path)
    page.wait_for_selector("#photo-preview:not([hidden])")


def scan_stop(page, stop):
    for p in stop["packages"]:
        scan(page, p["tracking_id"])


def deliver(page, *, tmp_path=None, photo=False, pin=None):
    """Deliver the stop on screen with what its rules ask (and a photo if asked); returns the stop's data."""
    stop = current_stop(page)
    scan_stop(page, stop)
    if photo or stop["needs"]["photo"]:
        add_photo(page, photo_file(tmp_path))
    if stop["needs"]["signature"]:
        sign(page)
    if stop["needs"]["pin"]:
        page.fill("#pin", pin)
    if stop["needs"]["age_check"]:
        page.check("#age")
    page.click("#btn-delivered")
    page.wait_for_function("id => document.getElementById('next-stop').getAttribute('data-stop') != id",
                           arg=str(stop["id"]))
    return stop


def attempt(page, reason="nobody_home"):
    stop = current_stop(page)
    page.select_option("#reason", reason)
    page.click("#btn-attempted")
    page.wait_for_function("id => document.getElementById('next-stop') === null || "
                           "document.getElementById('phase-stop').hidden || "
                           "document.getElementById('next-stop').getAttribute('data-stop') != id", arg=str(stop["id"]))
    return stop


def waiting(page) -> int:
    return int(page.locator("[data-offline-status]").get_attribute("data-waiting"))


def wait_all_saved(page, timeout=30_000):
    page.wait_for_function("() => { const s = document.querySelector('[data-offline-status]');"
                           " return s.getAttribute('data-waiting') === '0'; }", timeout=timeout)


def wait_offline_ready(page):
    page.wait_for_selector("html[data-offline-ready='1']")
