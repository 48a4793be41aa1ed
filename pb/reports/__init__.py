"""Reports of a process: the social impact assessment and the council's budget annex.

``metrics`` computes the measures, ``documents`` holds the plain data a report is built from, and
``sia_pdf`` and ``annex`` turn that data into bytes (PDF, CSV, XLSX). None of them imports Flask or the
database: the web layer fills the dataclasses and translates the labels.
"""
