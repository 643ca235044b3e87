#!/usr/bin/env python3
"""subset_font.py -- the receipt's font subsets (make: $(B)/fonts), with fontTools.

    subset_font.py SRC OUT UNICODES [PS_NAME]

Keeps the glyphs of UNICODES (pyftsubset's syntax: U+0020-007E,U+00A0) and
drops hinting and layout: libharu embeds every table but glyf whole in each
PDF, reading, copying and checksumming them 4 bytes at a time, so what the
receipts never use costs time in every render (services/receipt/fonts.h).

- The glyphs' instructions go; the font-wide programs (fpgm, prep) and the
  control values (cvt) stay as 4-byte stubs. libharu needs the tables
  present (without them 1 in 15 Formulirs failed to save, HPDF_INVALID_OBJECT),
  not their content: with no glyph instructions there is nothing to run.
- PS_NAME renames the font (name ID 6). libharu keeps one font per name in a
  document, so two subsets of one face in one PDF need two names, or the
  second is silently drawn with the first's glyphs.
"""
import array
import sys

from fontTools import subset
from fontTools.ttLib.tables import ttProgram


def main(argv):
    src, out, unicodes = argv[1:4]
    ps_name = argv[4] if len(argv) > 4 else None
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.hinting_tables = []  # keep cvt/fpgm/prep; stubbed below
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "MATH"]
    font = subset.load_font(src, opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=subset.parse_unicodes(unicodes))
    sub.subset(font)
    for tag in ("fpgm", "prep"):
        if tag in font:
            prog = ttProgram.Program()
            prog.fromBytecode(b"\x00\x00\x00\x00")  # SVTCA[y] four times: does nothing here
            font[tag].program = prog
    if "cvt " in font:
        font["cvt "].values = array.array("h", [0, 0])
    if ps_name:
        for rec in font["name"].names:
            if rec.nameID == 6:
                rec.string = ps_name
    subset.save_font(font, out, opts)


if __name__ == "__main__":
    main(sys.argv)
