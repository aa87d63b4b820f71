"""Every page at a phone's, a tablet's and a desktop's width (320, 768, 1280 px), with long realistic data:
no table cell clips its text, nothing but an intentional scroll box is wider than the screen, a desktop
needs no sideways scrolling at all, and numbers (invoice, KSeF) never break in the middle.
"""

from urllib.parse import quote

import pytest

from tests.browser.conftest import KSEF_NUMBER, PUBLIC_PAGES, log_in, needs_chromium

pytestmark = needs_chromium

WIDTHS = [320, 768, 1280]

# Cells whose content is wider than the cell: text cut off or spilling over its neighbours.
CLIPPED_CELLS = """
[...document.querySelectorAll('td, th')]
  .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
  .map(cell => `${cell.closest('table').id || cell.closest('table').className} ${cell.tagName}: ` +
               `${cell.innerText.trim().slice(0, 40)} (${cell.scrollWidth} > ${cell.clientWidth})`)
"""
# Elements reaching past the right edge of the screen, or whose text spills out of them, other than the
# content of a sideways scroll box.
PAST_THE_EDGE = """
[...document.querySelectorAll('body *')]
  .filter(el => !el.closest('.table-scroll > *'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 ||
                (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'))
  .map(el => `${el.tagName}.${el.className}: ${el.innerText.trim().slice(0, 40)}`)
  .slice(0, 5)
"""
# Scroll boxes whose table does not fit them, so part of it is hidden until scrolled to.
SCROLLING_BOXES = """
[...document.querySelectorAll('.table-scroll')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => `${box.getAttribute('aria-labelledby')}: ${box.scrollWidth} > ${box.clientWidth}`)
"""
# The text of an element split into the lines the browser laid it out in.
TEXT_LINES = """
element => {
  const lines = [];
  let top = null;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (top === null || box.top > top + 2) { lines.push(''); top = box.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines.map(line => line.trim());
}
"""


def layout_problems(page, width):
    problems = page.evaluate(CLIPPED_CELLS)
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems.append(f"the page is wider than the screen: {page.evaluate(PAST_THE_EDGE)}")
    if width >= 1280:
        problems += [f"scrolls sideways on a desktop: {box}" for box in page.evaluate(SCROLLING_BOXES)]
    return problems


def text_lines(locator):
    return locator.evaluate(TEXT_LINES)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_clips_a_cell_or_overflows_the_screen(open_tab, live_server, customer, width):
    page = open_tab(width)
    problems = {}
    for path in PUBLIC_PAGES:
        page.goto(live_server.url + path)
        problems[path] = layout_problems(page, width)
    log_in(page, live_server.url)
    ksef_invoice = customer.invoices.exclude(ksef_xml=None).get()
    correction = customer.invoices.get(kind="KOR")
    other_point = customer.metering_points.get(identifier__contains="BUDYNEK")
    one_point = f"/zuzycie-ciepla/?punkt={quote(other_point.identifier)}"
    for path in ["/pulpit/", "/faktury/", f"/faktury/{ksef_invoice.public_id}/", f"/faktury/{correction.public_id}/",
                 "/rozliczenia/", "/zuzycie-ciepla/", one_point, "/konto/"]:  # fmt: skip
        page.goto(live_server.url + path)
        assert page.url.startswith(live_server.url + path.split("?")[0])  # the page itself, not the way in
        problems[path] = layout_problems(page, width)
    found = {path: found for path, found in problems.items() if found}
    print("\n".join(f"{path}: {items}" for path, items in found.items()))
    assert found == {}
    assert page.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_ksef_number_under_the_qr_code_breaks_only_after_its_dashes(open_tab, live_server, customer, width):
    page = open_tab(width)
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/faktury/{customer.invoices.exclude(ksef_xml=None).get().public_id}/")
    lines = text_lines(page.locator("figcaption.ksef-qr__caption"))
    assert "".join(lines) == KSEF_NUMBER
    assert all(line.endswith("-") for line in lines[:-1]), lines


@pytest.mark.parametrize("width", WIDTHS)
def test_invoice_numbers_and_the_customer_code_stay_on_one_line(open_tab, live_server, customer, width):
    page = open_tab(width)
    log_in(page, live_server.url)
    for path in ["/pulpit/", "/faktury/", "/rozliczenia/"]:
        page.goto(live_server.url + path)
        assert text_lines(page.locator(".customer-badge strong")) == ["001234-0000"]
        numbers = page.locator("main table a[href^='/faktury/']")
        assert numbers.count() >= 5, path
        for number in numbers.all():
            assert len(text_lines(number)) == 1, f"{path}: {text_lines(number)}"


def test_an_invoice_number_in_a_heading_wraps_as_a_whole_and_then_only_after_slashes(open_tab, live_server, customer):
    page = open_tab(320)
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/faktury/{customer.invoices.exclude(ksef_xml=None).get().public_id}/")
    number = page.locator("h1 .long-number")
    assert text_lines(number) == [number.inner_text()]  # "FV/2026/11/0001" fits a line of its own
    page.goto(live_server.url + f"/faktury/{customer.invoices.get(kind='KOR').public_id}/")
    lines = text_lines(page.locator("h1 .long-number"))
    assert len(lines) > 1  # KOR/JAW/2026/…/000123/01 is wider than a phone
    assert all(line.endswith("/") for line in lines[:-1]), lines
