"""Rebuild the two font files eBOK's PDFs use: DejaVu Sans cut down to the characters Polish documents need.

    python invoices/fonts/make_subset.py /usr/share/fonts/truetype/dejavu

Why a subset: WeasyPrint subsets every embedded font on each render; a 40 kB font is quicker to load
and cut than the 750 kB original, and the project then carries its own font instead of relying on
whatever the machine has installed.
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

CHARACTERS = [
    *range(0x20, 0x7F),  # Basic Latin
    *range(0xA0, 0x180),  # Latin-1 Supplement, Latin Extended-A (ą ć ę ł ń ó ś ź ż)
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026, 0x2030),
    *(0x20AC, 0x2116, 0x2212),
]
FILES = {"DejaVuSans.ttf": "DejaVuSans-ebok.ttf", "DejaVuSans-Bold.ttf": "DejaVuSans-Bold-ebok.ttf"}


def main(source_folder):
    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    for source, target in FILES.items():
        font = TTFont(Path(source_folder) / source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=CHARACTERS)
        subsetter.subset(font)
        font.save(Path(__file__).parent / target)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu")
