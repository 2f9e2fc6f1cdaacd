//! Walks every cell of the permission matrix (role × operation) with the demo accounts: each
//! operation is tried on a record inside the caller's scope and, where scope matters, on one
//! outside it; the outcome must be what `policy::access` declares (`docs/permissions.md`).

use serde_json::{Value, json};
use ttdn_api::{
    auth::actor::ActorRole,
    policy::{self, Access, Operation},
};

use crate::helpers::{TestApp, demo_agency, demo_user, spawn_app_with_demo};

/// The demo account acting in each role (the service client for `INTEGRATION`).
fn account(role: ActorRole) -> &'static str {
    match role {
        ActorRole::Admin => "admin",
        ActorRole::ProvincialDepartment => "so.thanhhoa",
        ActorRole::District => "huyen.trieuson",
        ActorRole::Commune => "xa.danluc",
        ActorRole::Press => "bao.thanhhoa",
        ActorRole::Integration => "client",
    }
}

/// The demo service client holds these scopes.
fn client_access(operation: Operation) -> Access {
    use ttdn_api::auth::actor::ClientScope::*;
    match operation.client_access() {
        Some((any_of, access))
            if any_of
                .iter()
                .any(|s| [AgenciesRead, UsersRead, AuditRead, PressRead].contains(s)) =>
        {
            access
        }
        _ => Access::Denied,
    }
}

fn expected(role: ActorRole, operation: Operation) -> Access {
    match role {
        ActorRole::Integration => client_access(operation),
        _ => policy::access(role, operation),
    }
}

/// An operation attempt: the document and its variables.
struct Probe {
    query: &'static str,
    variables: Value,
}

/// The agency a role's in-scope write probe targets.
fn own_area(role: ActorRole) -> String {
    match role {
        ActorRole::Press => demo_agency("th.baoth"),
        _ => demo_agency("th.trieuson.danluc"),
    }
}

/// The account a role's in-scope account probes target.
fn own_account(role: ActorRole) -> String {
    match role {
        ActorRole::Press => demo_user("bao.thanhhoa"),
        _ => demo_user("xa.danluc"),
    }
}

const UPDATE_AGENCY: &str = "mutation($id: ID!) { updateAgency(input: { id: $id, phone: \"0237 3567 318\" }) { agency { id } } }";
const READ_USER: &str = "query($id: ID!) { user(id: $id) { id } }";
const UPDATE_USER: &str = "mutation($id: ID!) { updateUser(input: { id: $id, displayName: \"Văn phòng UBND\" }) { user { id } } }";

const READ_SPOKESPERSON: &str = "query($id: ID!) { spokesperson(id: $id) { id } }";
const UPDATE_SPOKESPERSON: &str = "mutation($id: ID!) { updateSpokespersonContact(input: { id: $id, phone: \"0237 3567 318\" }) { spokesperson { id } } }";

const READ_EVENT: &str = "query($id: ID!) { pressEvent(id: $id) { id } }";
const INVITE: &str = "mutation($id: ID!, $p: ID!) { invitePressAgencies(input: { id: $id, pressAgencyIds: [$p] }) { pressEvent { id } } }";
const REPLY: &str = "mutation($id: ID!) { replyToPressInvitation(input: { eventId: $id, accept: true, reporters: 2 }) { pressEvent { id } } }";

fn demo_event(key: &str) -> String {
    ttdn_api::demo::demo_id(key).to_string()
}

/// The event a role organizes (a commune organizes its own; the others reach Triệu Sơn's).
fn own_event(role: ActorRole) -> String {
    match role {
        ActorRole::Commune => demo_event("event.th.danluc"),
        _ => demo_event("event.th.trieuson"),
    }
}

const READ_RELEASE: &str = "query($id: ID!) { informationRelease(id: $id) { id } }";
const UPDATE_RELEASE: &str = "mutation($id: ID!) { updateRelease(input: { id: $id, content: { kind: INFORMATION_BULLETIN, title: \"Dự thảo\", body: \"Đang soạn thảo.\", audience: PUBLIC } }) { informationRelease { id } } }";

/// A draft a role may edit (a commune its own; the others Triệu Sơn's).
fn own_draft(role: ActorRole) -> String {
    match role {
        ActorRole::Commune => demo_event("release.th.danluc.draft"),
        _ => demo_event("release.th.trieuson.draft"),
    }
}

const SEND_REQUEST: &str = "mutation($a: ID!) { sendPressRequest(input: { addressedAgencyId: $a, subject: \"Câu hỏi\", question: \"Nội dung câu hỏi.\" }) { pressRequest { id } } }";
const READ_REQUEST: &str = "query($id: ID!) { pressRequest(id: $id) { id } }";
const ANSWER_REQUEST: &str = "mutation($id: ID!) { answerPressRequest(input: { id: $id, answer: \"Trả lời.\" }) { pressRequest { id } } }";

/// A request a role can read: one addressed to its scope (or, for the press, sent by it).
fn readable_request(role: ActorRole) -> &'static str {
    match role {
        ActorRole::Commune => "request.th.danluc",
        _ => "request.th.trieuson",
    }
}

/// A request each role answers inside its scope; one per role, since answering closes it.
fn answerable_request(role: ActorRole) -> &'static str {
    match role {
        ActorRole::Admin => "request.th.svhttdl",
        ActorRole::ProvincialDepartment => "request.th.trieuson",
        ActorRole::District => "request.th.trieuson.2",
        ActorRole::Commune => "request.th.danluc",
        _ => "request.th.trieuson",
    }
}

const READ_OBLIGATION: &str = "query($id: ID!) { obligation(id: $id) { id } }";
const AMEND_OBLIGATION: &str = "mutation($id: ID!, $due: Date!) { amendObligation(input: { id: $id, dueDate: $due }) { obligation { id } } }";
const SAVE_REPORT: &str = "mutation($id: ID!) { saveReport(input: { id: $id }) { report { id } } }";
const ACCEPT_REPORT: &str =
    "mutation($id: ID!) { acceptReport(input: { id: $id }) { report { id } } }";

/// Ids of demo reports (their ids are not fixed, so they are looked up).
struct DemoReports {
    cb_submitted: String,
    press_svhttdl: String,
    h2_trieuson: String,
    h2_danluc: String,
    r537_trieuson: String,
    r537_thoxuan: String,
    child_danly: String,
}

async fn demo_reports(app: &TestApp) -> DemoReports {
    let find = |obligation: &'static str, agency: &'static str| async move {
        let data = app
            .data(
                "query($id: ID!) { obligation(id: $id) { reports { id recipient { id } } } }",
                json!({ "id": demo_event(obligation) }),
            )
            .await;
        data["obligation"]["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .find(|r| r["recipient"]["id"] == demo_agency(agency).as_str())
            .and_then(|r| r["id"].as_str())
            .unwrap_or_else(|| panic!("no report of {agency} in {obligation}"))
            .to_owned()
    };
    DemoReports {
        cb_submitted: find("obligation.cb.2025", "cb.thucphan").await,
        press_svhttdl: find("obligation.th.press.2026", "th.svhttdl").await,
        h2_trieuson: find("obligation.th.2026.h2", "th.trieuson").await,
        h2_danluc: find("obligation.th.2026.h2", "th.trieuson.danluc").await,
        r537_trieuson: find("obligation.537", "th.trieuson").await,
        r537_thoxuan: find("obligation.537", "th.thoxuan").await,
        child_danly: find("obligation.2480.trieuson", "th.trieuson.danly").await,
    }
}

fn readable_obligation(role: ActorRole) -> &'static str {
    match role {
        ActorRole::Commune => "obligation.2480.trieuson",
        _ => "obligation.2480",
    }
}

/// An obligation each role issued (or reaches as issuer), and its due date (amended to itself).
fn issued_obligation(role: ActorRole) -> &'static str {
    match role {
        ActorRole::District => "obligation.2480.trieuson",
        _ => "obligation.2480",
    }
}

fn issued_due(role: ActorRole) -> &'static str {
    match role {
        ActorRole::District => "2021-12-15",
        _ => "2021-12-20",
    }
}

/// The report each role's own agency writes.
fn own_report(reports: &DemoReports, role: ActorRole) -> String {
    match role {
        ActorRole::ProvincialDepartment => reports.press_svhttdl.clone(),
        ActorRole::District => reports.h2_trieuson.clone(),
        _ => reports.h2_danluc.clone(),
    }
}

/// A submitted report each reviewing role may accept; one per role, since accepting closes it.
fn reviewable_report(reports: &DemoReports, role: ActorRole) -> String {
    match role {
        ActorRole::Admin => reports.r537_trieuson.clone(),
        ActorRole::ProvincialDepartment => reports.r537_thoxuan.clone(),
        _ => reports.child_danly.clone(),
    }
}

const READ_INCIDENT: &str = "query($id: ID!) { incident(id: $id) { id } }";
const REPORT_INCIDENT: &str = "mutation($a: ID!, $t: DateTime!) { reportIncident(input: { affectedAgencyId: $a, sourceOutlet: \"Mạng xã hội\", category: FALSE_INFORMATION, summary: \"Tin sai.\", appearedAt: $t }) { incident { id } } }";
const ASSIGN_INCIDENT: &str = "mutation($id: ID!, $h: ID!) { assignIncident(input: { id: $id, handlingAgencyId: $h }) { incident { id } } }";
const STATEMENT: &str = "mutation($id: ID!, $t: DateTime!) { recordIncidentStatement(input: { id: $id, statementAt: $t }) { incident { id } } }";

fn minutes_ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

/// An open incident each role's scope handles (a commune its own).
fn handled_incident(role: ActorRole) -> &'static str {
    match role {
        ActorRole::Commune => "incident.th.danluc",
        _ => "incident.th.current",
    }
}

const READ_TRAINING: &str = "query($id: ID!) { trainingSession(id: $id) { id } }";
const INVITE_TRAINING: &str = "mutation($id: ID!, $a: ID!) { inviteToTraining(input: { id: $id, invitations: [{ agencyId: $a, quota: 5 }] }) { trainingSession { id } } }";
const REGISTER: &str = "mutation($id: ID!, $a: ID!, $c: ParticipantCategory!) { registerForTraining(input: { id: $id, agencyId: $a, participants: [{ fullName: \"Nguyễn Văn An\", category: $c }] }) { participants { id } } }";

/// A session each managing role organizes (a district its own).
fn organized_training(role: ActorRole) -> &'static str {
    match role {
        ActorRole::District => "training.th.trieuson",
        _ => "training.th.upcoming",
    }
}

/// A registration each role may make for an invited agency of its scope.
fn registration(role: ActorRole) -> Value {
    let (agency, category) = match role {
        ActorRole::Press => ("th.baoth", "REPORTER"),
        ActorRole::ProvincialDepartment => ("th.trieuson", "OFFICER"),
        _ => ("th.trieuson.danluc", "OFFICER"),
    };
    json!({ "id": demo_event("training.th.upcoming"), "a": demo_agency(agency), "c": category })
}

const READ_PLAN: &str = "query($id: ID!) { plan(id: $id) { id } }";
const ADD_TASK: &str = "mutation($p: ID!, $l: ID!) { addPlanTask(input: { planId: $p, content: \"Nhiệm vụ mới\", leadAgencyId: $l }) { task { id } } }";
const PROGRESS: &str = "mutation($t: ID!) { recordTaskProgress(input: { taskId: $t, notedOn: \"2021-06-30\", note: \"Đang triển khai\", status: IN_PROGRESS }) { task { id } } }";

fn readable_plan(role: ActorRole) -> &'static str {
    match role {
        ActorRole::Commune => "plan.danluc.2021",
        _ => "plan.th.2021",
    }
}

/// A plan each role issues in its scope, and a lead agency of that scope.
fn managed_plan(role: ActorRole) -> (&'static str, &'static str) {
    match role {
        ActorRole::District => ("plan.trieuson.2021", "th.trieuson"),
        ActorRole::Commune => ("plan.danluc.2021", "th.trieuson.danluc"),
        _ => ("plan.th.2021", "th.svhttdl"),
    }
}

/// A task led inside each role's scope.
fn progressed_task(role: ActorRole) -> &'static str {
    match role {
        ActorRole::District => "task.ts.2",
        ActorRole::Commune => "task.dl.1",
        _ => "task.th.2",
    }
}

/// The head of a demo agency, as spokesperson.
fn demo_spokesperson(agency: &str) -> String {
    ttdn_api::demo::demo_id(&format!("spokesperson.head.{agency}")).to_string()
}

const SCHEDULE_SETTING: &str = "mutation($p: ID!, $d: Date!) { scheduleLegalSetting(input: { key: PRESS_REQUEST_ANSWER_DAYS, provinceId: $p, value: 15, effectiveFrom: $d }) { legalSetting { id } } }";

/// A future effective date of its own for each role, so that one role's change does not
/// collide with another's.
fn setting_date(role: ActorRole) -> String {
    let n = ActorRole::ALL.iter().position(|r| *r == role).unwrap_or(0) + 1;
    format!("2099-01-{n:02}")
}

/// (inside the scope, outside it) probes of an operation for a role.
fn probes(
    operation: Operation,
    role: ActorRole,
    app_reports: &DemoReports,
) -> (Probe, Option<Probe>) {
    let probe = |query, variables| Probe { query, variables };
    match operation {
        Operation::AgencyRead => (
            probe(
                "query($id: ID!) { agency(id: $id) { id } }",
                json!({ "id": demo_agency("th") }),
            ),
            Some(probe(
                "query($id: ID!) { agency(id: $id) { id } }",
                json!({ "id": demo_agency("cb.thucphan") }),
            )),
        ),
        Operation::AgencyWrite => (
            probe(UPDATE_AGENCY, json!({ "id": own_area(role) })),
            Some(probe(
                UPDATE_AGENCY,
                json!({ "id": demo_agency("cb.thucphan") }),
            )),
        ),
        Operation::UserRead => (
            probe(READ_USER, json!({ "id": own_account(role) })),
            Some(probe(
                READ_USER,
                json!({ "id": demo_user("phuong.thucphan") }),
            )),
        ),
        Operation::UserManage => (
            probe(UPDATE_USER, json!({ "id": own_account(role) })),
            Some(probe(
                UPDATE_USER,
                json!({ "id": demo_user("phuong.thucphan") }),
            )),
        ),
        Operation::ServiceClientManage => {
            (probe("{ serviceClients { totalCount } }", json!({})), None)
        }
        Operation::WebhookManage => (
            probe(
                "query($c: ID) { webhooks(clientId: $c) { id } }",
                json!({ "c": ttdn_api::demo::demo_id(ttdn_api::demo::DEMO_CLIENT).to_string() }),
            ),
            None,
        ),
        Operation::AuditRead => (
            probe("{ auditEvents(first: 1) { totalCount } }", json!({})),
            None,
        ),
        Operation::SpokespersonRead => (
            probe(READ_SPOKESPERSON, json!({ "id": demo_spokesperson("th") })),
            Some(probe(
                READ_SPOKESPERSON,
                json!({ "id": demo_spokesperson("cb.thucphan") }),
            )),
        ),
        Operation::PressEventRead => (
            probe(READ_EVENT, json!({ "id": demo_event("event.th.trieuson") })),
            Some(probe(
                READ_EVENT,
                json!({ "id": demo_event("event.cb.liaison") }),
            )),
        ),
        Operation::PressEventManage => (
            probe(
                INVITE,
                json!({ "id": own_event(role), "p": demo_agency("th.baoth") }),
            ),
            Some(probe(
                INVITE,
                json!({ "id": demo_event("event.cb.liaison"), "p": demo_agency("cb.bao") }),
            )),
        ),
        Operation::PressEventReply => (
            probe(REPLY, json!({ "id": demo_event("event.th.trieuson") })),
            Some(probe(
                REPLY,
                json!({ "id": demo_event("event.cb.liaison") }),
            )),
        ),
        Operation::ReleaseRead => (
            probe(
                READ_RELEASE,
                json!({ "id": demo_event("release.th.targeted") }),
            ),
            Some(probe(
                READ_RELEASE,
                json!({ "id": demo_event("release.cb.draft") }),
            )),
        ),
        Operation::ReleaseManage => (
            probe(UPDATE_RELEASE, json!({ "id": own_draft(role) })),
            Some(probe(
                UPDATE_RELEASE,
                json!({ "id": demo_event("release.cb.draft") }),
            )),
        ),
        Operation::PressRequestSend => (
            probe(SEND_REQUEST, json!({ "a": demo_agency("th.trieuson") })),
            None,
        ),
        Operation::PressRequestRead => (
            probe(
                READ_REQUEST,
                json!({ "id": demo_event(readable_request(role)) }),
            ),
            Some(probe(
                READ_REQUEST,
                json!({ "id": demo_event("request.cb") }),
            )),
        ),
        Operation::PressRequestAnswer => (
            probe(
                ANSWER_REQUEST,
                json!({ "id": demo_event(answerable_request(role)) }),
            ),
            Some(probe(
                ANSWER_REQUEST,
                json!({ "id": demo_event("request.cb") }),
            )),
        ),
        Operation::ObligationRead => (
            probe(
                READ_OBLIGATION,
                json!({ "id": demo_event(readable_obligation(role)) }),
            ),
            Some(probe(
                READ_OBLIGATION,
                json!({ "id": demo_event("obligation.cb.2025") }),
            )),
        ),
        Operation::ObligationIssue => (
            probe(
                AMEND_OBLIGATION,
                json!({ "id": demo_event(issued_obligation(role)), "due": issued_due(role) }),
            ),
            Some(probe(
                AMEND_OBLIGATION,
                json!({ "id": demo_event("obligation.cb.2025"), "due": "2025-12-20" }),
            )),
        ),
        Operation::ReportWrite => (
            probe(SAVE_REPORT, json!({ "id": own_report(app_reports, role) })),
            Some(probe(
                SAVE_REPORT,
                json!({ "id": app_reports.cb_submitted.clone() }),
            )),
        ),
        Operation::ReportReview => (
            probe(
                ACCEPT_REPORT,
                json!({ "id": reviewable_report(app_reports, role) }),
            ),
            Some(probe(
                ACCEPT_REPORT,
                json!({ "id": app_reports.cb_submitted.clone() }),
            )),
        ),
        Operation::IncidentRead => (
            probe(
                READ_INCIDENT,
                json!({ "id": demo_event("incident.th.current") }),
            ),
            Some(probe(
                READ_INCIDENT,
                json!({ "id": demo_event("incident.cb") }),
            )),
        ),
        Operation::IncidentReport => (
            probe(
                REPORT_INCIDENT,
                json!({ "a": demo_agency("th.trieuson.danluc"), "t": minutes_ago(60) }),
            ),
            None,
        ),
        Operation::IncidentManage => (
            probe(
                ASSIGN_INCIDENT,
                json!({ "id": demo_event("incident.th.current"), "h": demo_agency("th.trieuson") }),
            ),
            Some(probe(
                ASSIGN_INCIDENT,
                json!({ "id": demo_event("incident.cb"), "h": demo_agency("cb.thucphan") }),
            )),
        ),
        Operation::IncidentHandle => (
            probe(
                STATEMENT,
                json!({ "id": demo_event(handled_incident(role)), "t": minutes_ago(1) }),
            ),
            Some(probe(
                STATEMENT,
                json!({ "id": demo_event("incident.cb"), "t": minutes_ago(1) }),
            )),
        ),
        Operation::TrainingRead => (
            probe(
                READ_TRAINING,
                json!({ "id": demo_event("training.th.upcoming") }),
            ),
            Some(probe(
                READ_TRAINING,
                json!({ "id": demo_event("training.cb") }),
            )),
        ),
        Operation::TrainingManage => (
            probe(
                INVITE_TRAINING,
                json!({ "id": demo_event(organized_training(role)), "a": demo_agency("th.trieuson.danluc") }),
            ),
            Some(probe(
                INVITE_TRAINING,
                json!({ "id": demo_event("training.cb"), "a": demo_agency("cb.thucphan") }),
            )),
        ),
        Operation::TrainingRegister => (
            probe(REGISTER, registration(role)),
            Some(probe(
                REGISTER,
                json!({ "id": demo_event("training.cb"), "a": demo_agency("cb.thucphan"), "c": "OFFICER" }),
            )),
        ),
        Operation::PlanRead => (
            probe(READ_PLAN, json!({ "id": demo_event(readable_plan(role)) })),
            Some(probe(
                READ_PLAN,
                json!({ "id": demo_event("plan.cb.2026") }),
            )),
        ),
        Operation::PlanManage => {
            let (plan, lead) = managed_plan(role);
            (
                probe(
                    ADD_TASK,
                    json!({ "p": demo_event(plan), "l": demo_agency(lead) }),
                ),
                Some(probe(
                    ADD_TASK,
                    json!({ "p": demo_event("plan.cb.2026"), "l": demo_agency("cb.thucphan") }),
                )),
            )
        }
        Operation::PlanProgress => (
            probe(PROGRESS, json!({ "t": demo_event(progressed_task(role)) })),
            Some(probe(PROGRESS, json!({ "t": demo_event("task.cb.1") }))),
        ),
        Operation::LegalSettingManage => (
            probe(
                SCHEDULE_SETTING,
                json!({ "p": demo_agency("th"), "d": setting_date(role) }),
            ),
            Some(probe(
                SCHEDULE_SETTING,
                json!({ "p": demo_agency("cb"), "d": setting_date(role) }),
            )),
        ),
        Operation::SpokespersonManage => (
            probe(
                UPDATE_SPOKESPERSON,
                json!({ "id": demo_spokesperson("th.trieuson.danluc") }),
            ),
            Some(probe(
                UPDATE_SPOKESPERSON,
                json!({ "id": demo_spokesperson("cb.thucphan") }),
            )),
        ),
    }
}

/// Runs a probe: `true` when carried out, `false` when refused as FORBIDDEN or NOT_FOUND.
async fn allowed(app: &TestApp, token: &str, probe: &Probe) -> bool {
    let response = app
        .gql_as(Some(token), probe.query, probe.variables.clone())
        .await;
    match response["errors"][0]["extensions"]["code"].as_str() {
        None => true,
        Some("FORBIDDEN" | "NOT_FOUND") => false,
        Some(other) => panic!("unexpected {other}: {response:#}"),
    }
}

#[actix_web::test]
async fn every_cell_of_the_permission_matrix_is_enforced() {
    let app = spawn_app_with_demo().await;
    let reports = demo_reports(&app).await;
    let mut failures = Vec::new();
    for role in ActorRole::ALL {
        let token = match role {
            ActorRole::Integration => app.client_token().await,
            _ => app.demo_token(account(role)).await,
        };
        for operation in Operation::ALL {
            let access = expected(role, operation);
            let (inside, outside) = probes(operation, role, &reports);
            let got = allowed(&app, &token, &inside).await;
            if got != (access != Access::Denied) {
                failures.push(format!(
                    "{} {}: inside scope allowed={got}, declared {access:?}",
                    role.as_str(),
                    operation.as_str()
                ));
            }
            if let Some(outside) = outside {
                let got = allowed(&app, &token, &outside).await;
                if got != (access == Access::Anywhere) {
                    failures.push(format!(
                        "{} {}: outside scope allowed={got}, declared {access:?}",
                        role.as_str(),
                        operation.as_str()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "matrix not enforced:\n{}",
        failures.join("\n")
    );
}

#[actix_web::test]
async fn the_declared_matrix_keeps_its_key_rules() {
    use ActorRole::*;
    use Operation::*;
    // The rules the issue states in words, pinned so that a change to the matrix is deliberate.
    assert_eq!(policy::access(Admin, UserManage), Access::Anywhere);
    assert_eq!(
        policy::access(ProvincialDepartment, AgencyWrite),
        Access::InScope
    );
    assert_eq!(policy::access(District, UserManage), Access::InScope);
    assert_eq!(policy::access(Commune, UserManage), Access::Denied);
    assert_eq!(policy::access(Press, AgencyWrite), Access::Denied);
    assert_eq!(
        policy::access(ProvincialDepartment, AuditRead),
        Access::InScope
    );
    assert_eq!(policy::access(District, AuditRead), Access::OwnAgency);
    assert_eq!(
        policy::access(ProvincialDepartment, ServiceClientManage),
        Access::Denied
    );
}
