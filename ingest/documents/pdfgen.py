"""A minimal PDF writer for tests, benchmarks and demo data (no dependency, standard fonts only).

Writes what the extraction must cope with: text in Helvetica (WinAnsi, so German umlauts),
ruled tables, greyscale images (text as pixels, for OCR), and the standard RC4 security handler
for encrypted files. Not a general-purpose PDF library.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field

A4 = (595.28, 841.89)
PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_width(text: str, size: float) -> float:
    """A rough Helvetica width (average glyph 0.5 em), enough to lay out test pages."""
    return len(text) * size * 0.5


@dataclass
class Page:
    width: float = A4[0]
    height: float = A4[1]
    ops: list[bytes] = field(default_factory=list)
    images: list[tuple[int, int, bytes]] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, size: float = 11, bold: bool = False) -> Page:
        """One line of text; ``y`` is the baseline from the bottom of the page."""
        font = b"F2" if bold else b"F1"
        self.ops.append(b"BT /%s %.2f Tf %.2f %.2f Td %s Tj ET" % (font, size, x, y, _pdf_string(text)))
        return self

    def lines(self, x: float, y: float, lines: list[str], size: float = 11, leading: float = 1.35) -> float:
        """Lines top-down from baseline ``y``; returns the baseline after the last one."""
        for line in lines:
            self.text(x, y, line, size)
            y -= size * leading
        return y

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.5) -> Page:
        self.ops.append(b"%.2f w %.2f %.2f m %.2f %.2f l S" % (width, x0, y0, x1, y1))
        return self

    def rect(self, x: float, y: float, w: float, h: float, fill_gray: float | None = None) -> Page:
        if fill_gray is None:
            self.ops.append(b"0.5 w %.2f %.2f %.2f %.2f re S" % (x, y, w, h))
        else:
            self.ops.append(b"%.3f g %.2f %.2f %.2f %.2f re f 0 g" % (fill_gray, x, y, w, h))
        return self

    def table(
        self, x: float, y_top: float, widths: list[float], rows: list[list[str]], size: float = 9
    ) -> float:
        """A fully ruled table; each cell may hold several lines ("\\n"). Returns its bottom."""
        line_h = size * 1.3
        y = y_top
        xs = [x]
        for w in widths:
            xs.append(xs[-1] + w)
        tops = [y]
        for row in rows:
            n_lines = max(len(cell.split("\n")) for cell in row)
            row_h = n_lines * line_h + 4
            for i, cell in enumerate(row):
                self.lines(xs[i] + 3, y - size - 2, cell.split("\n"), size, leading=1.3)
            y -= row_h
            tops.append(y)
        for t in tops:
            self.line(xs[0], t, xs[-1], t)
        for cx in xs:
            self.line(cx, tops[0], cx, tops[-1])
        return y

    def image(self, x: float, y: float, w: float, h: float, pixels: bytes, px_w: int, px_h: int) -> Page:
        """An 8-bit greyscale image (``px_w * px_h`` bytes) drawn into the rectangle."""
        if len(pixels) != px_w * px_h:
            raise ValueError("pixels must hold px_w * px_h bytes")
        self.images.append((px_w, px_h, pixels))
        name = b"Im%d" % len(self.images)
        self.ops.append(b"q %.2f 0 0 %.2f %.2f %.2f cm /%s Do Q" % (w, h, x, y, name))
        return self


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


class _Rc4Security:
    """Standard security handler, revision 2 (40-bit RC4): the simplest real encryption."""

    def __init__(self, user_password: str, owner_password: str, file_id: bytes):
        user = (user_password.encode("latin-1") + PAD)[:32]
        owner = (owner_password.encode("latin-1") + PAD)[:32]
        self.o = _rc4(hashlib.md5(owner).digest()[:5], user)
        self.p = -44  # print/copy etc. all denied except the lowest bits; value irrelevant here
        p_bytes = (self.p & 0xFFFFFFFF).to_bytes(4, "little")
        self.key = hashlib.md5(user + self.o + p_bytes + file_id).digest()[:5]
        self.u = _rc4(self.key, PAD)

    def encrypt(self, num: int, data: bytes) -> bytes:
        key = hashlib.md5(self.key + num.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
        return _rc4(key, data)

    def dictionary(self) -> bytes:
        return b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
            self.o.hex().encode(),
            self.u.hex().encode(),
            self.p,
        )


@dataclass
class Document:
    pages: list[Page] = field(default_factory=list)

    def page(self, width: float = A4[0], height: float = A4[1]) -> Page:
        page = Page(width, height)
        self.pages.append(page)
        return page

    def build(self, *, user_password: str | None = None, compress: bool = True) -> bytes:
        """The PDF file, RC4-encrypted when ``user_password`` is given: a non-empty one is needed
        to open it; an empty one makes the common "protected" PDF that opens without a password."""
        file_id = hashlib.md5(repr([p.ops for p in self.pages]).encode()).digest()
        security = None
        if user_password is not None:
            security = _Rc4Security(user_password, user_password + "-owner", file_id)
        objects: dict[int, bytes] = {}
        streams: dict[int, tuple[bytes, bytes]] = {}  # num -> (dict without Length, data)
        objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
        objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        objects[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
        next_num = 5
        kids = []
        for page in self.pages:
            page_num, content_num = next_num, next_num + 1
            next_num += 2
            xobjects = []
            for i, (px_w, px_h, pixels) in enumerate(page.images, start=1):
                img_num = next_num
                next_num += 1
                streams[img_num] = (
                    b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Filter /FlateDecode" % (px_w, px_h),
                    zlib.compress(pixels, 6),
                )
                xobjects.append(b"/Im%d %d 0 R" % (i, img_num))
            resources = b"<< /Font << /F1 3 0 R /F2 4 0 R >> /XObject << %s >> >>" % b" ".join(xobjects)
            objects[page_num] = (
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources %s /Contents %d 0 R >>"
                % (page.width, page.height, resources, content_num)
            )
            content = b"\n".join(page.ops)
            if compress:
                streams[content_num] = (b"<< /Filter /FlateDecode", zlib.compress(content, 6))
            else:
                streams[content_num] = (b"<<", content)
            kids.append(b"%d 0 R" % page_num)
        objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
        encrypt_num = None
        if security is not None:
            encrypt_num = next_num
            objects[encrypt_num] = security.dictionary()
            next_num += 1

        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets: dict[int, int] = {}
        for num in range(1, next_num):
            offsets[num] = len(out)
            if num in streams:
                head, data = streams[num]
                if security is not None:
                    data = security.encrypt(num, data)
                body = b"%s /Length %d >>\nstream\n%s\nendstream" % (head, len(data), data)
            else:
                body = objects[num]
            out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % next_num
        for num in range(1, next_num):
            out += b"%010d 00000 n \n" % offsets[num]
        trailer = b"/Size %d /Root 1 0 R /ID [<%s> <%s>]" % (
            next_num,
            file_id.hex().encode(),
            file_id.hex().encode(),
        )
        if encrypt_num is not None:
            trailer += b" /Encrypt %d 0 R" % encrypt_num
        out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
        return bytes(out)


def exploding_forms_pdf(
    levels: int = 7, fan_out: int = 10, busy_ops: int = 20_000, text_ops: int = 1
) -> bytes:
    """A small PDF whose page never finishes loading: nested Form XObjects, each drawing the next
    ``fan_out`` times, the innermost doing ``busy_ops`` no-op save/restores and ``text_ops`` text
    objects, ``fan_out ** levels`` times over. With the defaults PDFium spends minutes on it with
    little memory (a test for the time limit); with many ``text_ops`` memory explodes instead."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    first = 5
    for level in range(levels):
        num = first + level
        if level == levels - 1:
            content = b"q Q " * busy_ops + b" ".join([b"BT /F1 1 Tf (xxxxxxxx) Tj ET"] * text_ops)
            resources = b"<< /Font << /F1 4 0 R >> >>"
        else:
            content = b" ".join(b"q /X Do Q" for _ in range(fan_out))
            resources = b"<< /XObject << /X %d 0 R >> >>" % (num + 1)
        data = zlib.compress(content)
        objects[num] = (
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources %s /Filter /FlateDecode "
            b"/Length %d >>\nstream\n%s\nendstream" % (resources, len(data), data)
        )
    page_content = b"q /X Do Q"
    content_num = first + levels
    objects[3] = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /X %d 0 R >> >> "
        b"/Contents %d 0 R >>" % (first, content_num)
    )
    objects[content_num] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(page_content), page_content)
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)
