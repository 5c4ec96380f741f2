#!/usr/bin/env python3
"""A backlog CSV for measuring `rightsdesk import` (docs/performance-import.md): N rows, reproducible.

Usage: python3 scripts/gen_import_csv.py N [SEED] > backlog.csv

Like a real backlog: several regimes and calendars, received over the 400 days before 2026-11-22 (run the import
with RIGHTSDESK_NOW=2026-11-22), about one row in five from a person seen before (same email, or the same phone or
customer account under another address), one in a hundred a repeated ticket (a duplicate the import skips) and one
in a hundred invalid (an unknown kind or a bad date, listed as errors).
"""

import datetime
import random
import sys

REGIMES = [
    ("eu-gdpr", "DE", 18), ("eu-gdpr", "FR", 10), ("eu-gdpr", "NL", 6), ("uk-gdpr", "GB-ENG", 20),
    ("us-ca-ccpa", "US", 16), ("us-va-vcdpa", "US-VA", 3), ("br-lgpd", "BR", 4), ("ca-pipeda", "CA", 3),
    ("ch-fadp", "CH", 3), ("au-privacy", "AU", 2),
]
KINDS = ["access", "access", "access", "erasure", "rectification", "portability", "objection"]
FIRST = ["Amelia", "Oliver", "Sophie", "Lukas", "Emma", "Noah", "Chloé", "Mateo", "Ingrid", "Sven", "Aisha", "Ravi"]
LAST = ["Smith", "Jones", "Müller", "Dubois", "Rossi", "García", "Jansen", "Kowalski", "Nielsen", "O'Brien"]
DESCRIPTIONS = [
    "Please send me a copy of all personal data you hold about me.",
    "I want my account and all associated data deleted.",
    "My postal address on file is wrong; please correct it.",
    "Please provide my order history in a machine-readable format.",
]
TODAY = datetime.date(2026, 11, 22)


def main() -> None:
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 2026)
    weights = [w for _, _, w in REGIMES]
    people = []
    rows = []
    out = sys.stdout
    out.write("external_id,kind,regime,calendar,received,name,email,phone,account,channel,language,description\n")
    for i in range(n):
        roll = rng.random()
        if rows and roll < 0.01:
            out.write(rng.choice(rows))
            continue
        regime, calendar, _ = rng.choices(REGIMES, weights)[0]
        kind = rng.choice(KINDS)
        received = (TODAY - datetime.timedelta(days=int(rng.random() ** 1.6 * 400))).isoformat()
        if roll < 0.02:
            kind, received = ("teleport", received) if rng.random() < 0.5 else (kind, "2026-02-30")
        if people and roll < 0.22:
            name, email, phone, account = rng.choice(people)
            if rng.random() < 0.3:
                email = f"other{i}@example.net"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            email = f"person{i}@example.org"
            phone = f"+44 20 7946 {rng.randrange(100000):05d}" if rng.random() < 0.2 else ""
            account = f"CUST-{rng.randrange(1000000):06d}" if rng.random() < 0.5 else ""
            people.append((name, email, phone, account))
        channel = rng.choice(["email", "web-form", "letter", "phone"])
        language = rng.choice(["en", "en", "fr", "de"])
        line = (
            f"T-{i},{kind},{regime},{calendar},{received},\"{name}\",{email},{phone},{account},{channel},{language},"
            f"\"{rng.choice(DESCRIPTIONS)}\"\n"
        )
        rows.append(line)
        out.write(line)


if __name__ == "__main__":
    main()
