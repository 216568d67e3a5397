"""A statement as CSV and PDF, and the program's weekly totals as CSV for finance.

The PDF is drawn with fpdf2 (pure Python, no browser); its core fonts are Latin-1, so text is folded to it."""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from fpdf import FPDF

from core.money import money_display
from performance.models import LineKind, Tier

LINE_HEADER = ["line", "kind", "description", "service_date", "quantity", "rate", "amount", "source"]


def line_source(line) -> str:
    """What a line comes from, as a reference a person (or finance) can look up."""
    if line.route_id:
        return f"route:{line.route_id}"
    for field, prefix in (("scorecard_id", "scorecard"), ("peak_week_id", "peak_week"), ("chargeback_id", "chargeback"),
                          ("deduction_id", "deduction_plan"), ("dispute_id", "dispute")):
        if getattr(line, field):
            suffix = f"#{line.instalment_no}" if field == "deduction_id" and line.instalment_no else ""
            return f"{prefix}:{getattr(line, field)}{suffix}"
    return ""


def statement_csv(statement, lines) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partner", statement.partner.legal_name, "week", statement.week_start.isoformat(),
                     statement.week_end.isoformat(), "status", statement.status, "tier", statement.tier])
    writer.writerow(LINE_HEADER)
    for n, line in enumerate(lines, start=1):
        writer.writerow([n, line.kind, line.description, line.service_date.isoformat() if line.service_date else "",
                         line.quantity, line.rate, line.amount, line_source(line)])
    writer.writerow(["", "total", "", "", "", "", statement.total, ""])
    return out.getvalue()


def finance_csv(weeks) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    kinds = [k.value for k in LineKind]
    writer.writerow(["week_start", "week_end", "statements", "drafts", "disputed", "approved", "paid", "payout_failed",
                     "total", "paid_amount", *kinds])
    for w in weeks:
        writer.writerow([w["week"].week_start.isoformat(), w["week"].week_end.isoformat(), w["statements"],
                         w["drafts"], w["disputed"], w["approved"], w["paid_n"], w["failed"], w["total"], w["paid"],
                         *[w["kinds"][k] for k in kinds]])
    return out.getvalue()


def _latin(text) -> str:
    return str(text).replace("×", "x").replace("−", "-").replace("÷", "/").replace("—", "-").replace("–", "-") \
        .replace("≤", "<=").encode("latin-1", "replace").decode("latin-1")


def _money(value: Decimal) -> str:
    return _latin(money_display(value))


def statement_pdf(statement, lines) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_title(f"Statement {statement.pk}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(_("Weekly statement")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    tier = Tier(statement.tier).label if statement.tier else "-"
    for text in (statement.partner.legal_name,
                 _("Service week %(a)s to %(b)s (Sunday to Saturday)") % {"a": statement.week_start,
                                                                         "b": statement.week_end},
                 _("Status: %(s)s · Tier: %(t)s · Statement #%(n)s") % {"s": statement.get_status_display(),
                                                                        "t": tier, "n": statement.pk}):
        pdf.cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (8, 100, 20, 24, 30)
    pdf.set_font("Helvetica", "B", 9)
    for width, head in zip(widths, ["#", _("Description"), _("Qty"), _("Rate"), _("Amount")], strict=True):
        pdf.cell(width, 6, _latin(head), border="B", align="R" if head != _("Description") else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for n, line in enumerate(lines, start=1):
        whole = line.quantity == line.quantity.to_integral()
        quantity = f"{line.quantity.normalize():f}" if whole else str(line.quantity)
        cells = [str(n), _latin(line.description)[:70], quantity, _latin(f"{line.rate:.4f}".rstrip("0").rstrip(".")),
                 _money(line.amount)]
        for width, text, align in zip(widths, cells, "RLRRR", strict=True):
            pdf.cell(width, 5, text, align=align)
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(sum(widths[:-1]), 8, _latin(_("Total")), border="T", align="R")
    pdf.cell(widths[-1], 8, _money(statement.total), border="T", align="R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 7)
    pdf.multi_cell(0, 4, _latin(_("Each amount is rounded once to the cent; the total is the sum of the lines. "
                                  "Sources of each line are listed in the CSV and on the statement page.")))
    return bytes(pdf.output())
