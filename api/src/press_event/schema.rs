//! GraphQL face of press-provision events.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, PressEventId, SpokespersonId},
    press_event::{Model, PressEventKind as StoredKind, PressEventStatus as StoredStatus},
    press_event_invitation::{self as invitation, InvitationReply as StoredReply},
};
use serde::Serialize;

use super::service::{self, EventFilter, NewEvent, Transition};
use crate::{
    agency::schema::Agency,
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
    },
    mirror_enum,
    policy::Operation,
    spokesperson::{schema::Spokesperson, service as spokespersons},
    text,
};

mirror_enum!(
    /// Kind of meeting with the press.
    PressEventKind => StoredKind {
        /// Press conference (họp báo).
        PressConference,
        /// Press-information briefing (hội nghị cung cấp thông tin cho báo chí).
        PressBriefing,
        /// Regular press liaison meeting (giao ban báo chí).
        PressLiaisonMeeting,
        /// Interview (trả lời phỏng vấn).
        Interview,
        /// Anything else.
        Other,
    }
);

mirror_enum!(
    /// Where an event stands.
    PressEventStatus => StoredStatus {
        /// Being prepared; not visible to the press.
        Planned,
        /// Announced: invitations are out.
        Announced,
        /// Took place.
        Held,
        /// Called off.
        Cancelled,
    }
);

mirror_enum!(
    /// A press agency's answer to an invitation.
    InvitationReply => StoredReply {
        /// Not answered yet.
        Pending,
        /// Will attend.
        Accepted,
        /// Will not attend.
        Declined,
    }
);

/// A press agency's invitation to an event.
pub struct PressInvitation(invitation::Model);

/// A press agency's invitation to an event (giấy mời), its reply and attendance.
#[Object]
impl PressInvitation {
    /// The invited press agency.
    async fn press_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.press_agency_id).await
    }

    /// Its answer.
    async fn reply(&self) -> InvitationReply {
        self.0.reply.into()
    }

    /// Reporters announced with an acceptance.
    async fn reporters(&self) -> Option<i32> {
        self.0.reporters
    }

    /// When it answered.
    async fn replied_at(&self) -> Option<DateTime<Utc>> {
        self.0.replied_at
    }

    /// Whether it came (recorded after the event).
    async fn attended(&self) -> Option<bool> {
        self.0.attended
    }

    /// How many of its reporters came.
    async fn attendees(&self) -> Option<i32> {
        self.0.attendees
    }

    /// When it was invited.
    async fn invited_at(&self) -> DateTime<Utc> {
        self.0.invited_at
    }
}

/// A press-provision event as the API shows it.
pub struct PressEvent(Model);

impl From<Model> for PressEvent {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A press-provision event (sự kiện cung cấp thông tin cho báo chí): a press conference,
/// briefing, liaison meeting or interview.
#[Object]
impl PressEvent {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Organizing agency.
    async fn organizer(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.organizer_id).await
    }

    /// Co-organizing agencies (đơn vị phối hợp).
    async fn co_organizers(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        let loaders = ctx.loaders()?;
        let rows = loaders
            .many::<service::relations::CoOrganizers>(self.0.id)
            .await?;
        let found = loaders
            .agency
            .load_many(rows.into_iter().map(|r| r.agency_id))
            .await?;
        Ok(found.into_values().map(Agency::from).collect())
    }

    /// Kind.
    async fn kind(&self) -> PressEventKind {
        self.0.kind.into()
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Start (RFC 3339; Vietnam time is UTC+07:00).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// End.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    /// Place.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// Link of an online event.
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }

    /// The spokesperson presiding (người chủ trì).
    async fn presiding_spokesperson(&self, ctx: &Context<'_>) -> AppResult<Option<Spokesperson>> {
        Ok(ctx
            .loaders()?
            .one::<spokespersons::relations::ById>(self.0.presiding_spokesperson_id)
            .await?
            .map(Into::into))
    }

    /// Status.
    async fn status(&self) -> PressEventStatus {
        self.0.status.into()
    }

    /// Whether every press agency may see and attend it, not only the invited ones.
    async fn public(&self) -> bool {
        self.0.is_public
    }

    /// Topics.
    async fn topics(&self) -> Option<&str> {
        self.0.topics.as_deref()
    }

    /// Agenda.
    async fn agenda(&self) -> Option<&str> {
        self.0.agenda.as_deref()
    }

    /// Why it was cancelled.
    async fn cancellation_reason(&self) -> Option<&str> {
        self.0.cancellation_reason.as_deref()
    }

    /// Invitations: all of them for the organizers; a press agency sees only its own.
    async fn invitations(&self, ctx: &Context<'_>) -> AppResult<Vec<PressInvitation>> {
        let rows = ctx
            .loaders()?
            .many::<service::relations::Invitations>(self.0.id)
            .await?;
        Ok(rows.into_iter().map(PressInvitation).collect())
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Filters of the event list.
#[derive(InputObject, Default)]
pub struct PressEventFilterInput {
    /// Events organized by this agency or below it.
    organizer_within: Option<ID>,
    /// Starting at or after.
    from: Option<DateTime<Utc>>,
    /// Starting before.
    to: Option<DateTime<Utc>>,
    /// Only these kinds.
    kinds: Option<Vec<PressEventKind>>,
    /// Only these statuses.
    statuses: Option<Vec<PressEventStatus>>,
    /// Only events changed at or after this time, oldest change first: for systems that poll.
    updated_since: Option<DateTime<Utc>>,
}

impl PressEventFilterInput {
    fn parse(self) -> AppResult<EventFilter> {
        Ok(EventFilter {
            organizer_within: self
                .organizer_within
                .as_ref()
                .map(|id| parse_id("filter.organizerWithin", id).map(AgencyId))
                .transpose()?,
            from: self.from,
            to: self.to,
            kinds: self
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            updated_since: self.updated_since,
        })
    }
}

/// How many events of one kind.
#[derive(SimpleObject)]
pub struct PressEventCount {
    /// Kind.
    kind: PressEventKind,
    /// Number of events.
    count: u64,
}

/// Queries of press events.
#[derive(Default)]
pub struct PressEventQuery;

#[Object]
impl PressEventQuery {
    /// One event.
    async fn press_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Event id.")] id: ID,
    ) -> AppResult<PressEvent> {
        let id = PressEventId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Events, latest first: an agency's or a subtree's in a period. The press sees announced
    /// events it is invited to and public ones.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn press_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PressEventFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<PressEvent>> {
        let filter = filter.unwrap_or_default().parse()?;
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }

    /// How many events match, per kind (every kind listed): for reports, e.g. held events of
    /// a province in a year.
    async fn press_event_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events to count (e.g. statuses: [HELD] and a period).")]
        filter: Option<PressEventFilterInput>,
    ) -> AppResult<Vec<PressEventCount>> {
        let filter = filter.unwrap_or_default().parse()?;
        let counts = service::counts_by_kind(ctx.db()?, ctx.actor()?, &filter).await?;
        Ok(counts
            .into_iter()
            .map(|(kind, count)| PressEventCount {
                kind: kind.into(),
                count,
            })
            .collect())
    }
}

/// A new event.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePressEventInput {
    /// Organizing agency.
    organizer_id: ID,
    /// Co-organizing agencies.
    co_organizer_ids: Option<Vec<ID>>,
    /// Kind.
    kind: PressEventKind,
    /// Title, 1 to 500 characters.
    title: String,
    /// Start (RFC 3339, e.g. "2026-12-10T09:00:00+07:00").
    starts_at: DateTime<Utc>,
    /// End.
    ends_at: Option<DateTime<Utc>>,
    /// Place (a place or an online link is needed).
    place: Option<String>,
    /// Link of an online event.
    online_url: Option<String>,
    /// Presiding spokesperson, serving for the organizer on the day.
    presiding_spokesperson_id: Option<ID>,
    /// Open to every press agency, not only the invited ones.
    #[graphql(default = false)]
    public: bool,
    /// Topics.
    topics: Option<String>,
    /// Agenda.
    agenda: Option<String>,
}

/// An event to act on.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PressEventInput {
    /// The event.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A cancellation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelPressEventInput {
    /// The event.
    id: ID,
    /// Why it is called off.
    reason: String,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A new time.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReschedulePressEventInput {
    /// The event.
    id: ID,
    /// New start.
    starts_at: DateTime<Utc>,
    /// New end.
    ends_at: Option<DateTime<Utc>>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// Invitations to send.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitePressAgenciesInput {
    /// The event.
    id: ID,
    /// Press agencies to invite (already invited ones are left as they are).
    press_agency_ids: Vec<ID>,
}

/// A press agency's answer to its invitation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyToPressInvitationInput {
    /// The event.
    event_id: ID,
    /// True to accept, false to decline.
    accept: bool,
    /// Reporters attending (1 to 20) when accepting.
    reporters: Option<i32>,
}

/// Attendance of one invited press agency, after the event.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordPressAttendanceInput {
    /// The event (HELD).
    id: ID,
    /// The invited press agency.
    press_agency_id: ID,
    /// How many of its reporters came (0: it did not come).
    attendees: i32,
}

/// Result of an event mutation.
#[derive(SimpleObject)]
pub struct PressEventPayload {
    /// The event after the change.
    press_event: PressEvent,
}

impl From<Model> for PressEventPayload {
    fn from(model: Model) -> Self {
        Self {
            press_event: model.into(),
        }
    }
}

fn event_id(model: &Model) -> uuid::Uuid {
    model.id
}

/// A mutation of events, for [`mutation::run`].
fn event_mutation(name: &'static str, needs: Operation) -> Mutation {
    Mutation::new(name, needs, "PressEvent")
}

async fn lifecycle(
    ctx: &Context<'_>,
    name: &'static str,
    input: PressEventInput,
    step: Transition,
) -> AppResult<PressEventPayload> {
    let mutation = event_mutation(name, Operation::PressEventManage)
        .on(&input.id)
        .input(&input);
    mutation::run(ctx, mutation, event_id, move |txn, actor| {
        Box::pin(async move {
            let id = PressEventId(parse_id("id", &input.id)?);
            service::transition(txn, actor, id, step, input.expected_version).await
        })
    })
    .await
    .map(Into::into)
}

/// Event management, and replies of the press.
#[derive(Default)]
pub struct PressEventMutation;

#[Object]
impl PressEventMutation {
    /// Plans an event (status PLANNED; the press does not see it yet).
    async fn create_press_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreatePressEventInput,
    ) -> AppResult<PressEventPayload> {
        let mutation =
            event_mutation("pressEvent.create", Operation::PressEventManage).input(&input);
        mutation::run(ctx, mutation, event_id, move |txn, actor| {
            Box::pin(async move {
                let optional_line = |field: &'static str, value: &Option<String>, max: usize| {
                    text::optional(value.as_deref(), |v| text::required_line(field, v, max))
                };
                let new = NewEvent {
                    organizer: AgencyId(parse_id("organizerId", &input.organizer_id)?),
                    co_organizers: input
                        .co_organizer_ids
                        .iter()
                        .flatten()
                        .map(|id| parse_id("coOrganizerIds", id).map(AgencyId))
                        .collect::<AppResult<_>>()?,
                    kind: input.kind.into(),
                    title: text::required_line("title", &input.title, 500)?,
                    starts_at: input.starts_at,
                    ends_at: input.ends_at,
                    place: optional_line("place", &input.place, 500)?,
                    online_url: text::optional(input.online_url.as_deref(), |v| {
                        text::url("onlineUrl", v)
                    })?,
                    presiding: input
                        .presiding_spokesperson_id
                        .as_ref()
                        .map(|id| parse_id("presidingSpokespersonId", id).map(SpokespersonId))
                        .transpose()?,
                    is_public: input.public,
                    topics: input.topics.clone().filter(|t| !t.trim().is_empty()),
                    agenda: input.agenda.clone().filter(|t| !t.trim().is_empty()),
                };
                service::create(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Announces a planned event: the invited press (and all the press, if public) see it.
    async fn announce_press_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: PressEventInput,
    ) -> AppResult<PressEventPayload> {
        lifecycle(ctx, "pressEvent.announce", input, Transition::Announce).await
    }

    /// Records that the event took place.
    async fn mark_press_event_held(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: PressEventInput,
    ) -> AppResult<PressEventPayload> {
        lifecycle(ctx, "pressEvent.markHeld", input, Transition::MarkHeld).await
    }

    /// Calls an event off.
    async fn cancel_press_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the reason.")] input: CancelPressEventInput,
    ) -> AppResult<PressEventPayload> {
        let reason =
            text::required_line("reason", &input.reason, 500).map_err(|e| e.under("input"))?;
        let plain = PressEventInput {
            id: input.id,
            expected_version: input.expected_version,
        };
        lifecycle(ctx, "pressEvent.cancel", plain, Transition::Cancel(reason)).await
    }

    /// Moves an event to another time.
    async fn reschedule_press_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and its new time.")] input: ReschedulePressEventInput,
    ) -> AppResult<PressEventPayload> {
        let mutation = event_mutation("pressEvent.reschedule", Operation::PressEventManage)
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, event_id, move |txn, actor| {
            Box::pin(async move {
                let id = PressEventId(parse_id("id", &input.id)?);
                service::reschedule(
                    txn,
                    actor,
                    id,
                    input.starts_at,
                    input.ends_at,
                    input.expected_version,
                )
                .await
            })
        })
        .await
        .map(Into::into)
    }

    /// Invites press agencies.
    async fn invite_press_agencies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the press agencies.")] input: InvitePressAgenciesInput,
    ) -> AppResult<PressEventPayload> {
        let mutation = event_mutation("pressEvent.invite", Operation::PressEventManage)
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, event_id, move |txn, actor| {
            Box::pin(async move {
                let id = PressEventId(parse_id("id", &input.id)?);
                let agencies = input
                    .press_agency_ids
                    .iter()
                    .map(|a| parse_id("pressAgencyIds", a).map(AgencyId))
                    .collect::<AppResult<Vec<_>>>()?;
                service::invite(txn, actor, id, &agencies).await
            })
        })
        .await
        .map(Into::into)
    }

    /// A press agency accepts (with its number of reporters) or declines its invitation.
    async fn reply_to_press_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the answer.")] input: ReplyToPressInvitationInput,
    ) -> AppResult<PressEventPayload> {
        let mutation = event_mutation("pressEvent.reply", Operation::PressEventReply)
            .on(&input.event_id)
            .input(&input);
        mutation::run(ctx, mutation, event_id, move |txn, actor| {
            Box::pin(async move {
                let id = PressEventId(parse_id("eventId", &input.event_id)?);
                service::reply(txn, actor, id, input.accept, input.reporters).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Records, after the event, how many reporters of an invited press agency came.
    async fn record_press_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event, the press agency and the attendance.")]
        input: RecordPressAttendanceInput,
    ) -> AppResult<PressEventPayload> {
        let mutation = event_mutation("pressEvent.recordAttendance", Operation::PressEventManage)
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, event_id, move |txn, actor| {
            Box::pin(async move {
                let id = PressEventId(parse_id("id", &input.id)?);
                let agency = AgencyId(parse_id("pressAgencyId", &input.press_agency_id)?);
                service::record_attendance(txn, actor, id, agency, input.attendees).await
            })
        })
        .await
        .map(Into::into)
    }
}
