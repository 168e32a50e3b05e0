"""Label names and colours: the one source for every label sop-sync writes or reads.

Families (names in Indonesian): ``permohonan``, ``sop::<id>``, ``peran:<nama>``,
``fase::<nama>``, ``langkah::<NN>`` are structural and kept in sync with the SOP (see
:mod:`sop_sync.plan.labels`); the ``status::``, ``keputusan::`` and ``uat::`` families are set
by the rules. Role labels are not scoped (one colon): a step may have several roles, and
GitLab Premium keeps only one label per scope, even on creation.
"""

from __future__ import annotations

from sop_sync.model.changes import Label
from sop_sync.model.tracker import Capabilities

REQUEST = "permohonan"
STRUCTURAL = ("sop::", "peran:", "fase::", "langkah::")

SKIPPED = "status::dilewati"
WAITING = "status::menunggu-bukti"
CORRECTED = "status::dikoreksi"
ANSWER_YES = "keputusan::ya"
ANSWER_NO = "keputusan::tidak"
SIGNED_OFF = "uat::disetujui"

# one colour family per kind, so a board reads at a glance
COLOURS = {
    REQUEST: "#6A1B9A",
    "sop::": "#4527A0",
    "peran:": "#1565C0",
    "fase::": "#2E7D32",
    "langkah::": "#757575",
    "status::": "#E65100",
    "keputusan::": "#00838F",
    "uat::": "#AD1457",
}
STATUS_LABELS = {
    SKIPPED: "Langkah pada cabang yang tidak diambil; ditutup tanpa dikerjakan",
    WAITING: "Langkah belum boleh ditutup: bukti belum lengkap",
    CORRECTED: "Pekerjaan dikembalikan oleh pemeriksa untuk diperbaiki",
    ANSWER_YES: "Jawaban keputusan: Ya",
    ANSWER_NO: "Jawaban keputusan: Tidak",
    SIGNED_OFF: "UAT disetujui oleh instansi pemohon",
}
REQUEST_DESCRIPTION = "Permohonan aplikasi (epic sop-sync)"


def label_name(name: str, capabilities: Capabilities) -> str:
    """A label name the tracker accepts.

    No commas (GitLab sends label lists comma-separated); for Jira, no spaces.
    """
    name = " ".join(name.replace(",", " ").split())
    return name if capabilities.label_spaces else name.replace(" ", "-")


def family(name: str) -> str:
    """The family (prefix) a label name belongs to; ``permohonan`` for anything else."""
    return next((f for f in COLOURS if name.startswith(f)), REQUEST)


def make_label(name: str, description: str, capabilities: Capabilities) -> Label:
    """A label of ``name`` as the tracker takes it, coloured by its family."""
    name = label_name(name, capabilities)
    return Label(name=name, color=COLOURS[family(name)], description=description)


def owned(name: str) -> bool:
    """True for labels in the structural families (kept in sync with the SOP)."""
    return name == REQUEST or name.startswith(STRUCTURAL)
