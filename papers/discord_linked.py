"""The "Summaries of linked papers" menu as a Discord embed (pure): a field per paper a
message links, in the order linked, with its best summary's opening and how many it has;
papers nobody knows listed as such; "and N more" when the message links more than were
looked up."""

from __future__ import annotations

from papers.discord_limits import FIELD_NAME_LIMIT, FIELD_VALUE_LIMIT, Payload, clip, shrink
from papers.discord_render import COLOR, escape, summary_field, write_url
from papers.linked import Linked
from papers.model import PaperWithSummaries
from papers.usecases import Found, LookupOutcome, describe

TITLE = "Papers linked in this message"
NO_LINKS = (
    "This message links no paper I can read: arXiv links and ids (arXiv:1312.6199), DOIs and "
    "ShortScience links are."
)
EXCERPT = 300


def _found_field(found: PaperWithSummaries) -> Payload:
    paper = found.paper
    ident = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else escape(paper.key)
    link = f"[{ident}]({paper.url})" if paper.url else ident
    count = len(found.summaries)
    if not found.summaries:
        lines = [link, f"No summary yet. [Write the first summary]({write_url(paper)})"]
    else:
        best = summary_field(found.summaries[0], excerpt_chars=EXCERPT)
        lines = [
            f"{link} · {count} summar{'y' if count == 1 else 'ies'}",
            f"**{best['name']}**",
            best["value"],
        ]
    return {
        "name": clip(escape(paper.title or paper.key), FIELD_NAME_LIMIT),
        "value": clip("\n".join(lines), FIELD_VALUE_LIMIT),
    }


def _field(outcome: LookupOutcome) -> Payload:
    if isinstance(outcome, Found):
        return _found_field(outcome.match)
    return {
        "name": clip(f"Not known: {escape(describe(outcome.ref))}", FIELD_NAME_LIMIT),
        "value": clip(escape(outcome.message) + ".", FIELD_VALUE_LIMIT),
    }


def linked_embed(linked: Linked) -> Payload:
    """The papers a message links, with their summaries; "and N more" in the footer."""
    if not linked.outcomes:
        return {"title": TITLE, "description": NO_LINKS, "color": COLOR}
    embed: Payload = {
        "title": TITLE,
        "color": COLOR,
        "fields": [_field(o) for o in linked.outcomes],
        "footer": {"text": "All of a paper's summaries: /summary with its id"},
    }
    embed = shrink(embed)
    left_out = linked.more + len(linked.outcomes) - len(embed["fields"])
    if left_out:
        embed["footer"] = {
            "text": f"and {left_out} more linked paper{'' if left_out == 1 else 's'}: "
            "ask /summary for each"
        }
    return embed
