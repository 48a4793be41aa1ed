"""Every model of pb, imported in one place so that the metadata and the migrations see them all."""

from pb.accounts.models import Role, User
from pb.audit.models import AuditChainHead, AuditEvent
from pb.core.mail import OutboxMessage
from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
from pb.processes.models import BallotKind, District, Municipality, Phase, PhaseKind, Pool, Process
from pb.proposals.models import Comment, Project, ProjectBeneficiary, ProjectCategory, ProjectStatus, Stance, Support
from pb.voting.models import Ballot, BallotChoice, Channel, Participation, VoterRegisterEntry

__all__ = [
    "AuditChainHead", "AuditEvent", "Ballot", "BallotChoice", "BallotKind", "Channel", "Comment", "District",
    "Mandate", "MandateCharacter", "OutboxMessage", "MandateStatus", "Municipality", "Participation", "Phase", "PhaseKind",
    "Pool", "Process", "Project", "ProjectBeneficiary", "ProjectCategory", "ProjectStatus", "Role", "Stance",
    "Support", "User", "VoterRegisterEntry",
]
