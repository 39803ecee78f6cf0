"""An inbox item's texts are rendered once; the HTML rendering is left for the e-mail that
needs it (issue 21), and gives the same e-mail as before."""
from __future__ import annotations

from services.notifications import templates
from services.notifications.emails import compose, texts_for

DATA = {"number": "00000001", "protocol": "12345620261207000001", "provider_legal_name": "A & B",
        "beneficiary_name": "<b>Ana</b>", "link": "/api/v1/authorization-requests/x"}


def test_the_html_is_rendered_only_when_an_e_mail_asks_for_it(monkeypatch):
    rendered: list[bool] = []
    blocks = templates._blocks

    def counting(env, *args):  # noqa: ANN001, ANN202
        rendered.append(env is templates.HTML)
        return blocks(env, *args)
    monkeypatch.setattr(templates, "_blocks", counting)
    texts = texts_for("authorizations.request_submitted", DATA,
                      occurred_at="2026-12-07T10:00:00Z", locale="en", name="Ana")
    assert rendered == [False]
    html = texts.html_paragraphs
    assert rendered == [False, True]
    assert texts.html_paragraphs is html  # once
    assert rendered == [False, True]


def test_an_e_mail_from_texts_rendered_for_the_inbox_is_the_same_as_one_rendered_whole():
    texts = texts_for("authorizations.request_submitted", DATA,
                      occurred_at="2026-12-07T10:00:00Z", locale="pt-BR", name="Ana")
    kwargs = {"public_url": "https://ponte.example", "occurred_at": "2026-12-07T10:00:00Z",
              "to": "ana@example.org", "locale": "pt-BR", "name": "Ana",
              "link": DATA["link"]}
    reused = compose("authorizations.request_submitted", DATA, texts=texts, **kwargs)
    whole = compose("authorizations.request_submitted", DATA, **kwargs)
    assert reused == whole
    assert "&lt;b&gt;Ana&lt;/b&gt;" in reused.html or "<b>Ana</b>" not in reused.html
