"""Official paperwork (KAK, Berita Acara) from a request's own data.

The pure half (this package, beside :mod:`sop_sync.rules`) turns an observed request, its
SOP, its schedule and the document settings into a :class:`~.blocks.Document`: the one
content source of every format. The writers (:mod:`.writers`, beside :mod:`sop_sync.render`)
turn that document into DOCX, PDF and Markdown; they alone read templates and files.
"""
