//! The permission matrix: which role may do what, and where. Pure functions, no I/O.
//!
//! Every operation of the API maps to one [`Operation`]; [`access`] gives, for each role, whether
//! it is allowed anywhere, inside the actor's scope (an agency subtree), only for the actor's own
//! agency, or not at all. Service clients (`INTEGRATION`) get an operation when they hold its
//! [`ClientScope`], inside their agency's subtree. `docs/permissions.md` is rendered from this
//! module, and a test walks every cell.
//!
//! Reads outside the scope are filtered in SQL and look like absent records (`NOT_FOUND`); a
//! write to a visible record outside the scope, or a write the role may not do, is `FORBIDDEN`.

use crate::{
    auth::actor::{Actor, ActorRole, ClientScope, Principal, Scope},
    error::{AppError, AppResult, Msg},
};

/// Everything the API lets someone do, as the permission matrix names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
#[graphql(name = "Capability")]
pub enum Operation {
    /// Read the agency directory (danh bạ cơ quan).
    AgencyRead,
    /// Create, change, move and close agencies.
    AgencyWrite,
    /// Read accounts.
    UserRead,
    /// Create accounts, change their role or name, reset passwords, disable and enable them.
    UserManage,
    /// Register, rotate and disable service clients of e-government systems.
    ServiceClientManage,
    /// Read the audit trail (nhật ký thao tác).
    AuditRead,
    /// Read the spokesperson directory (danh bạ người phát ngôn); the press sees published
    /// spokespersons only.
    SpokespersonRead,
    /// Appoint, authorise, publish spokespersons and end their terms.
    SpokespersonManage,
    /// Read press-provision events; the press sees announced events it is invited to and
    /// public ones, with its own invitation only.
    PressEventRead,
    /// Create, announce, reschedule, cancel and close events; invite press agencies; record
    /// attendance.
    PressEventManage,
    /// Answer an invitation of one's own press agency.
    PressEventReply,
    /// Read information releases: government agencies drafts issued in their scope, INTERNAL
    /// releases of their province and PUBLIC or TARGETED ones anywhere once out of draft; the
    /// press what is published, not embargoed and addressed to it; service clients what is out
    /// of draft in their scope.
    ReleaseRead,
    /// Draft, publish, withdraw and correct information releases.
    ReleaseManage,
    /// Send a question to an agency on behalf of one's own press agency.
    PressRequestSend,
    /// Read press requests: the press its own agency's, agencies those addressed to their scope.
    PressRequestRead,
    /// Answer or refuse press requests addressed to agencies in scope.
    PressRequestAnswer,
    /// Read reporting obligations and reports: those issued in scope and those addressed to
    /// agencies in scope; compliance, roll-up, templates.
    ObligationRead,
    /// Issue, pass on (cascade), amend and withdraw obligations to agencies in scope; add
    /// template versions.
    ObligationIssue,
    /// Write and submit one's own agency's reports.
    ReportWrite,
    /// Return or accept reports of obligations issued in scope.
    ReportReview,
    /// Read incidents reported by, about or assigned to agencies in scope.
    IncidentRead,
    /// Record an incident on behalf of one's own agency.
    IncidentReport,
    /// Assign a handling agency and close incidents (the department's queue).
    IncidentManage,
    /// Record the first statement and the correction of an incident assigned in scope.
    IncidentHandle,
    /// Read training sessions organized in scope or to which an agency in scope is invited.
    TrainingRead,
    /// Plan training sessions, invite agencies, record attendance.
    TrainingManage,
    /// Register and withdraw participants of invited agencies.
    TrainingRegister,
    /// Read plans issued in scope or with tasks led or coordinated by agencies in scope.
    PlanRead,
    /// Issue plans and add their tasks.
    PlanManage,
    /// Record progress on tasks led by agencies in scope.
    PlanProgress,
    /// Schedule and withdraw changes of the legal deadlines and cut-offs: nationally (an
    /// administrator) or for a province (its department).
    LegalSettingManage,
    /// Register, rotate, disable and redeliver the webhooks of service clients, and read their
    /// delivery logs: anywhere (an administrator), or for the clients of its province (its
    /// department).
    WebhookManage,
}

impl Operation {
    /// Every operation, in matrix order.
    pub const ALL: [Operation; 32] = [
        Operation::AgencyRead,
        Operation::AgencyWrite,
        Operation::UserRead,
        Operation::UserManage,
        Operation::ServiceClientManage,
        Operation::AuditRead,
        Operation::SpokespersonRead,
        Operation::SpokespersonManage,
        Operation::PressEventRead,
        Operation::PressEventManage,
        Operation::PressEventReply,
        Operation::ReleaseRead,
        Operation::ReleaseManage,
        Operation::PressRequestSend,
        Operation::PressRequestRead,
        Operation::PressRequestAnswer,
        Operation::ObligationRead,
        Operation::ObligationIssue,
        Operation::ReportWrite,
        Operation::ReportReview,
        Operation::IncidentRead,
        Operation::IncidentReport,
        Operation::IncidentManage,
        Operation::IncidentHandle,
        Operation::TrainingRead,
        Operation::TrainingManage,
        Operation::TrainingRegister,
        Operation::PlanRead,
        Operation::PlanManage,
        Operation::PlanProgress,
        Operation::LegalSettingManage,
        Operation::WebhookManage,
    ];

    /// Stable name (as in the audit trail and `docs/permissions.md`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::AgencyRead => "agency.read",
            Operation::AgencyWrite => "agency.write",
            Operation::UserRead => "user.read",
            Operation::UserManage => "user.manage",
            Operation::ServiceClientManage => "serviceClient.manage",
            Operation::AuditRead => "audit.read",
            Operation::SpokespersonRead => "spokesperson.read",
            Operation::SpokespersonManage => "spokesperson.manage",
            Operation::PressEventRead => "pressEvent.read",
            Operation::PressEventManage => "pressEvent.manage",
            Operation::PressEventReply => "pressEvent.reply",
            Operation::ReleaseRead => "release.read",
            Operation::ReleaseManage => "release.manage",
            Operation::PressRequestSend => "pressRequest.send",
            Operation::PressRequestRead => "pressRequest.read",
            Operation::PressRequestAnswer => "pressRequest.answer",
            Operation::ObligationRead => "obligation.read",
            Operation::ObligationIssue => "obligation.issue",
            Operation::ReportWrite => "report.write",
            Operation::ReportReview => "report.review",
            Operation::IncidentRead => "incident.read",
            Operation::IncidentReport => "incident.report",
            Operation::IncidentManage => "incident.manage",
            Operation::IncidentHandle => "incident.handle",
            Operation::TrainingRead => "training.read",
            Operation::TrainingManage => "training.manage",
            Operation::TrainingRegister => "training.register",
            Operation::PlanRead => "plan.read",
            Operation::PlanManage => "plan.manage",
            Operation::PlanProgress => "plan.progress",
            Operation::LegalSettingManage => "legalSetting.manage",
            Operation::WebhookManage => "webhook.manage",
        }
    }

    /// What the operation covers, for the rendered matrix.
    fn summary(self) -> &'static str {
        match self {
            Operation::AgencyRead => "`agency`, `agencies`, `node` on agencies",
            Operation::AgencyWrite => "`createAgency`, `updateAgency`, `moveAgency`, `closeAgency`",
            Operation::UserRead => "`user`, `users`, `node` on accounts",
            Operation::UserManage => {
                "`createUser`, `updateUser`, `resetUserPassword`, `setUserDisabled`"
            }
            Operation::ServiceClientManage => {
                "`serviceClients`, `registerServiceClient`, `rotateServiceClientSecret`, `setServiceClientDisabled`"
            }
            Operation::AuditRead => "`auditEvents`",
            Operation::SpokespersonRead => {
                "`spokespeople`, `spokesperson`, `Agency.currentSpokespeople`"
            }
            Operation::SpokespersonManage => {
                "`appointSpokesperson`, `updateSpokespersonContact`, `endSpokespersonTerm`, `publishSpokesperson`"
            }
            Operation::PressEventRead => "`pressEvent`, `pressEvents`, `pressEventCounts`",
            Operation::PressEventManage => {
                "`createPressEvent`, `announcePressEvent`, `reschedulePressEvent`, `cancelPressEvent`, `markPressEventHeld`, `invitePressAgencies`, `recordPressAttendance`"
            }
            Operation::PressEventReply => "`replyToPressInvitation`",
            Operation::ReleaseRead => {
                "`informationRelease`, `informationReleases` (the press feed)"
            }
            Operation::ReleaseManage => {
                "`createRelease`, `updateRelease`, `publishRelease`, `withdrawRelease`"
            }
            Operation::PressRequestSend => "`sendPressRequest`",
            Operation::PressRequestRead => "`pressRequest`, `pressRequests`",
            Operation::PressRequestAnswer => "`answerPressRequest`, `refusePressRequest`",
            Operation::ObligationRead => {
                "`obligation`, `obligations`, `report`, `reportsDue`, `reportTemplates`, `reportPrefill`, compliance and roll-up, CSV export"
            }
            Operation::ObligationIssue => {
                "`issueObligation`, `cascadeObligation`, `amendObligation`, `withdrawObligation`, `createReportTemplate`"
            }
            Operation::ReportWrite => "`saveReport`, `submitReport`",
            Operation::ReportReview => "`returnReport`, `acceptReport`",
            Operation::IncidentRead => "`incident`, `incidents`, `incidentCounts`",
            Operation::IncidentReport => "`reportIncident`",
            Operation::IncidentManage => "`assignIncident`, `closeIncident`",
            Operation::IncidentHandle => "`recordIncidentStatement`",
            Operation::TrainingRead => {
                "`trainingSession`, `trainingSessions`, `trainingAttendance`"
            }
            Operation::TrainingManage => {
                "`createTrainingSession`, `inviteToTraining`, `recordTrainingAttendance`"
            }
            Operation::TrainingRegister => "`registerForTraining`, `withdrawTrainingRegistration`",
            Operation::PlanRead => "`plan`, `plans`, `planTasks`",
            Operation::PlanManage => "`createPlan`, `addPlanTask`",
            Operation::PlanProgress => "`recordTaskProgress`",
            Operation::LegalSettingManage => "`scheduleLegalSetting`, `withdrawLegalSetting`",
            Operation::WebhookManage => {
                "`webhooks`, `registerWebhook`, `rotateWebhookSecret`, `setWebhookDisabled`, `redeliverWebhook`"
            }
        }
    }

    /// The scopes of which a service client needs one for this operation (the area's own, and
    /// the older scope covering several areas), and the access it then has (`None`: never for
    /// clients).
    pub fn client_access(self) -> Option<(&'static [ClientScope], Access)> {
        use ClientScope as S;
        match self {
            // The directory is public information, as for every signed-in person.
            Operation::AgencyRead => Some((&[S::AgenciesRead], Access::Anywhere)),
            Operation::AgencyWrite => Some((&[S::AgenciesWrite], Access::InScope)),
            Operation::UserRead => Some((&[S::UsersRead], Access::InScope)),
            Operation::UserManage => Some((&[S::UsersWrite], Access::InScope)),
            Operation::ServiceClientManage => None,
            Operation::AuditRead => Some((&[S::AuditRead], Access::InScope)),
            Operation::SpokespersonRead => {
                Some((&[S::SpokespersonsRead, S::PressRead], Access::Anywhere))
            }
            Operation::SpokespersonManage => None,
            Operation::PressEventRead => {
                Some((&[S::PressEventsRead, S::PressRead], Access::InScope))
            }
            Operation::PressEventManage | Operation::PressEventReply => None,
            Operation::ReleaseRead => Some((&[S::ReleasesRead, S::PressRead], Access::InScope)),
            Operation::PressRequestRead => {
                Some((&[S::PressRequestsRead, S::PressRead], Access::InScope))
            }
            Operation::ReleaseManage
            | Operation::PressRequestSend
            | Operation::PressRequestAnswer => None,
            Operation::ObligationRead => Some((&[S::ReportsRead], Access::InScope)),
            Operation::ObligationIssue | Operation::ReportWrite | Operation::ReportReview => None,
            Operation::IncidentRead => Some((&[S::IncidentsRead, S::ReportsRead], Access::InScope)),
            Operation::IncidentReport | Operation::IncidentManage | Operation::IncidentHandle => {
                None
            }
            Operation::TrainingRead => Some((&[S::TrainingRead, S::ReportsRead], Access::InScope)),
            Operation::TrainingManage | Operation::TrainingRegister => None,
            Operation::PlanRead => Some((&[S::PlansRead, S::ReportsRead], Access::InScope)),
            Operation::PlanManage | Operation::PlanProgress => None,
            Operation::LegalSettingManage | Operation::WebhookManage => None,
        }
    }
}

/// Where a role may perform an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// On any record.
    Anywhere,
    /// On records of agencies inside the actor's scope.
    InScope,
    /// On records of the actor's own agency only.
    OwnAgency,
    /// Not at all.
    Denied,
}

/// The matrix for people's roles; `INTEGRATION` is decided by the client's scopes.
pub fn access(role: ActorRole, operation: Operation) -> Access {
    use Access::*;
    use ActorRole::*;
    use Operation::*;
    match (operation, role) {
        // A reply speaks for one press agency: only its own accounts give it.
        (PressEventReply, Press) => OwnAgency,
        (PressEventReply, _) => Denied,
        (PressRequestSend, Press) => OwnAgency,
        (PressRequestSend, _) => Denied,
        // A report speaks for its own agency; nobody submits another agency's.
        (ReportWrite, ProvincialDepartment | District | Commune) => OwnAgency,
        (ReportWrite, _) => Denied,
        // An incident is recorded in the name of one's own agency.
        (IncidentReport, ProvincialDepartment | District | Commune) => OwnAgency,
        (IncidentReport, _) => Denied,
        (_, Admin) => Anywhere,
        // The directory is public information for every signed-in party: press agencies find
        // the agencies (and later the spokespersons) they need to reach.
        (AgencyRead, _) => Anywhere,
        (AgencyWrite, ProvincialDepartment) => InScope,
        (AgencyWrite, _) => Denied,
        (UserRead, _) => InScope,
        (UserManage, ProvincialDepartment | District) => InScope,
        (UserManage, _) => Denied,
        (ServiceClientManage, _) => Denied,
        (AuditRead, ProvincialDepartment) => InScope,
        (AuditRead, _) => OwnAgency,
        // Spokespersons exist to be found: their contacts are published to the press.
        (SpokespersonRead, _) => Anywhere,
        (SpokespersonManage, ProvincialDepartment | District | Commune) => InScope,
        (SpokespersonManage, _) => Denied,
        (PressEventRead, Press) => OwnAgency,
        (PressEventRead, _) => InScope,
        (PressEventManage, ProvincialDepartment | District | Commune) => InScope,
        (PressEventManage, _) => Denied,
        (ReleaseRead, Press) => OwnAgency,
        (ReleaseRead, _) => InScope,
        (ReleaseManage, ProvincialDepartment | District | Commune) => InScope,
        (ReleaseManage, _) => Denied,
        (PressRequestRead, Press) => OwnAgency,
        (PressRequestRead, _) => InScope,
        (PressRequestAnswer, ProvincialDepartment | District | Commune) => InScope,
        (PressRequestAnswer, _) => Denied,
        (ObligationRead, Press) => Denied,
        (ObligationRead, _) => InScope,
        (ObligationIssue | ReportReview, ProvincialDepartment | District) => InScope,
        (ObligationIssue | ReportReview, _) => Denied,
        (IncidentRead, Press) => Denied,
        (IncidentRead, _) => InScope,
        (IncidentManage, ProvincialDepartment) => InScope,
        (IncidentManage, _) => Denied,
        (IncidentHandle, ProvincialDepartment | District | Commune) => InScope,
        (IncidentHandle, _) => Denied,
        (TrainingRead | TrainingRegister, Press) => OwnAgency,
        (TrainingRead, _) => InScope,
        (TrainingManage, ProvincialDepartment | District) => InScope,
        (TrainingManage, _) => Denied,
        (TrainingRegister, ProvincialDepartment | District) => InScope,
        (TrainingRegister, _) => OwnAgency,
        (PlanRead | PlanManage | PlanProgress, Press) => Denied,
        (PlanRead | PlanManage | PlanProgress, _) => InScope,
        // A province's department sets its own province's deadlines (its scope is the
        // province's tree); the national values are the administrators'.
        (LegalSettingManage, ProvincialDepartment) => InScope,
        (LegalSettingManage, _) => Denied,
        // A province's department looks after the systems integrated in its province.
        (WebhookManage, ProvincialDepartment) => InScope,
        (WebhookManage, _) => Denied,
    }
}

/// The access `actor` has to `operation`.
pub fn access_of(actor: &Actor, operation: Operation) -> Access {
    match &actor.principal {
        Principal::Client { scopes, .. } => match operation.client_access() {
            Some((any_of, access)) if any_of.iter().any(|s| scopes.contains(s)) => access,
            _ => Access::Denied,
        },
        Principal::User { .. } => access(actor.role, operation),
    }
}

fn forbidden() -> AppError {
    AppError::Forbidden(Msg::new(
        "Bạn không có quyền thực hiện thao tác này",
        "You are not allowed to do this",
    ))
}

/// The actor's access, or `FORBIDDEN` when the role may not perform the operation at all.
pub fn require(actor: &Actor, operation: Operation) -> AppResult<Access> {
    match access_of(actor, operation) {
        Access::Denied => Err(forbidden()),
        access => Ok(access),
    }
}

/// Requires the operation on a record of the agency at `agency_path` (`None`: a record of no
/// agency, such as a root of the tree or an administrator's account).
pub fn require_at(actor: &Actor, operation: Operation, agency_path: Option<&str>) -> AppResult<()> {
    let allowed = match (require(actor, operation)?, agency_path) {
        (Access::Anywhere, _) => true,
        (Access::InScope, Some(path)) => actor.scope.contains(path),
        (Access::OwnAgency, Some(path)) => actor.agency.as_ref().is_some_and(|a| a.path == path),
        (Access::Denied, _) | (_, None) => false,
    };
    if allowed { Ok(()) } else { Err(forbidden()) }
}

/// Which agencies' records an actor may read for `operation`, for SQL filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// All records.
    All,
    /// Records of agencies whose path starts with this prefix.
    Subtree(String),
    /// Records of this one agency.
    Agency(uuid::Uuid),
}

/// The visibility for a read operation, or `FORBIDDEN` when the role may not read at all.
pub fn visibility(actor: &Actor, operation: Operation) -> AppResult<Visibility> {
    Ok(match require(actor, operation)? {
        Access::Anywhere => Visibility::All,
        Access::InScope => match &actor.scope {
            Scope::All => Visibility::All,
            Scope::Subtree { path, .. } => Visibility::Subtree(path.clone()),
        },
        Access::OwnAgency => match actor.agency_id() {
            Some(id) => Visibility::Agency(id.0),
            None => Visibility::All,
        },
        Access::Denied => return Err(forbidden()),
    })
}

/// The operations an actor may perform somewhere: the capability list the front end uses to
/// show or hide actions.
pub fn capabilities(actor: &Actor) -> Vec<Operation> {
    Operation::ALL
        .into_iter()
        .filter(|op| access_of(actor, *op) != Access::Denied)
        .collect()
}

/// `docs/permissions.md`, rendered from the matrix.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Permissions\n\n\
         Generated from `api/src/policy.rs` by `cargo run -- permissions`; a test fails when this \
         file is stale.\n\n\
         - **anywhere**: on any record.\n\
         - **in scope**: on records of agencies in the actor's subtree. The department's subtree is \
         its whole province (everything under its provincial committee); a district's is itself \
         and its communes; a commune's or press agency's is its own agency; a service client's is \
         its agency's subtree.\n\
         - **own agency**: on records of the actor's own agency only.\n\
         - **—**: never (`FORBIDDEN`).\n\n\
         Reads outside the scope are filtered out: such a record is `NOT_FOUND`, so its existence \
         does not leak. A write to a visible record outside the scope is `FORBIDDEN`. Only \
         administrators manage administrator accounts.\n\n",
    );
    out.push_str("| operation | covers |");
    for role in ActorRole::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n|---|---|");
    for _ in ActorRole::ALL {
        out.push_str("---|");
    }
    out.push('\n');
    for op in Operation::ALL {
        out.push_str(&format!("| `{}` | {} |", op.as_str(), op.summary()));
        for role in ActorRole::ALL {
            let name = |access: Access| match access {
                Access::Anywhere => "anywhere",
                Access::InScope => "in scope",
                Access::OwnAgency => "own agency",
                Access::Denied => "—",
            };
            let cell = if role == ActorRole::Integration {
                match op.client_access() {
                    Some((any_of, access)) => format!(
                        "{}, with {}",
                        name(access),
                        any_of
                            .iter()
                            .map(|s| format!("`{}`", s.as_str()))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                    None => "—".to_owned(),
                }
            } else {
                name(access(role, op)).to_owned()
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str(
        "\nEvery signed-in person may also read `me`, change their own password and sign out, and \
         read the legal deadlines in force (`legalSettings`, `legalSettingHistory`). \
         Signing in (`login`, `refreshToken`, `clientToken`) needs no token.\n",
    );
    out.push_str(RELEASE_READ_RULES);
    out
}

/// Which information releases `release.read` shows, record by record (the service applies it
/// in SQL; `docs/permissions.md` prints it).
pub const RELEASE_READ_RULES: &str = "\n## Which releases `release.read` shows\n\n\
| release | ADMIN | government (PROVINCIAL_DEPARTMENT, DISTRICT, COMMUNE) | PRESS | INTEGRATION (`releases:read` or `press:read`) |\n\
|---|---|---|---|---|\n\
| `DRAFT` | yes | issued in scope: by its own agency or one below it | no | no |\n\
| `INTERNAL`, out of draft | yes | issued in scope, or anywhere in its own province | no | issued in scope, past its embargo |\n\
| `PUBLIC`, out of draft | yes | yes | published and past its embargo | issued in scope, past its embargo |\n\
| `TARGETED`, out of draft | yes | yes | published, past its embargo and addressed to it | issued in scope, past its embargo |\n\n\
Out of draft means published or withdrawn (a withdrawn release stays readable, marked so). \
A release not shown is `NOT_FOUND`.\n";
