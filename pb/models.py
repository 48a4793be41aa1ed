"""Every model of pb, imported in one place so that the metadata and the migrations see them all."""

from pb.accounts.models import Role, User
from pb.audit.models import AuditChainHead, AuditEvent
from pb.core.mail import OutboxMessage
from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
from pb.processes.models import (BallotKind, District, IncompatibleSet, IncompatibleSetMember, Municipality, Phase,
                                 PhaseKind, Pool, Process)
from pb.deliberation.models import (Comment, Flag, FlagReason, FlagResolution, Follow, Notification, NotificationKind,
                                    Stance, Support)
from pb.proposals.models import (Appeal, AppealOutcome, Feasibility, Project, ProjectBeneficiary, ProjectCategory,
                                 ProjectCoauthor, ProjectImage, ProjectStatus, ProjectVersion, Review,
                                 ReviewAssignment)
from pb.voting.models import (
    Ballot,
    BallotChoice,
    Channel,
    CountedBallot,
    KeptReceipt,
    Participation,
    ReceiptRoot,
    TallyResult,
    TallyResultProject,
    Verification,
    VoterRegisterEntry,
    VotingCode,
)
from pb.mandate.models import CouncilDecision, CouncilDecisionRevision, DecisionOutcome
from pb.delivery.models import (CoProduction, DeliveryMailOptIn, DeliveryMilestone, DeliveryPhoto, DeliveryPolicy,
                                DeliveryRating, DeliveryRecord, DeliveryUpdate)

__all__ = [
    "Appeal", "AppealOutcome", "Feasibility", "Flag", "FlagReason", "FlagResolution", "Follow", "Notification",
    "NotificationKind", "ProjectCoauthor", "ProjectImage", "ProjectVersion", "Review", "ReviewAssignment",
    "AuditChainHead", "AuditEvent", "Ballot", "BallotChoice", "BallotKind", "Channel", "Comment", "District",
    "IncompatibleSet", "IncompatibleSetMember",
    "Mandate", "MandateCharacter", "OutboxMessage", "MandateStatus", "Municipality", "Participation", "Phase", "PhaseKind",
    "Pool", "Process", "Project", "ProjectBeneficiary", "ProjectCategory", "ProjectStatus", "Role", "Stance",
    "Support", "TallyResult", "TallyResultProject", "User", "Verification", "VoterRegisterEntry", "VotingCode",
    "CountedBallot", "KeptReceipt", "ReceiptRoot",
    "CouncilDecision", "CouncilDecisionRevision", "DecisionOutcome",
    "CoProduction", "DeliveryMailOptIn", "DeliveryMilestone", "DeliveryPhoto", "DeliveryPolicy", "DeliveryRating",
    "DeliveryRecord", "DeliveryUpdate",
]
from pb.reports.models import (Assessment, AssessmentMode, AssessmentVersion, FinalAnnex, PopulationBaseline,
                               PopulationFigure)

__all__ += ["Assessment", "AssessmentMode", "AssessmentVersion", "FinalAnnex", "PopulationBaseline",
            "PopulationFigure"]
from pb.reports.models import AssessmentThresholds

__all__ += ["AssessmentThresholds"]
from pb.reports.models import AccessibilityContact, Likelihood, MitigationAction, MitigationKind, RepresentationFlag, Risk
from pb.outreach.models import OutreachMessage, OutreachSubscription

__all__ += ["AccessibilityContact", "Likelihood", "MitigationAction", "MitigationKind", "OutreachMessage",
            "OutreachSubscription", "RepresentationFlag", "Risk"]
