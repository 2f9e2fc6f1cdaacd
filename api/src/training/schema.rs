//! GraphQL face of training sessions.

use std::collections::BTreeMap;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, ParticipantId, TrainingId},
    training_participant::{self as participant, ParticipantCategory as StoredCategory},
    training_session::{Model, TrainingMode as StoredMode},
};
use serde::Serialize;

use super::service::{self, NewSession, Registration, SessionFilter};
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
    text,
};

mirror_enum!(
    /// How a session is held.
    TrainingMode => StoredMode {
        /// In person (trực tiếp).
        InPerson,
        /// Online (trực tuyến).
        Online,
        /// Both (kết hợp).
        Hybrid,
    }
);

mirror_enum!(
    /// Who a participant is.
    ParticipantCategory => StoredCategory {
        /// A leader (lãnh đạo).
        Leader,
        /// A spokesperson (người phát ngôn).
        Spokesperson,
        /// An officer working on TTĐN (cán bộ làm công tác TTĐN).
        Officer,
        /// A reporter (phóng viên).
        Reporter,
    }
);

/// A registered participant.
pub struct Participant(participant::Model);

/// A registered participant (học viên) and whether they came.
#[Object]
impl Participant {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The agency they come from.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.agency_id).await
    }

    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }

    /// Position.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Category.
    async fn category(&self) -> ParticipantCategory {
        self.0.category.into()
    }

    /// Whether they came (null until recorded).
    async fn attended(&self) -> Option<bool> {
        self.0.attended
    }
}

/// A training material, by reference.
#[derive(SimpleObject)]
pub struct Material {
    /// Name.
    name: String,
    /// Where to fetch it.
    url: String,
}

/// A material given as input.
#[derive(InputObject, Serialize)]
pub struct MaterialInput {
    /// Name.
    name: String,
    /// Where to fetch it (http or https).
    url: String,
}

/// An invited agency and its quota.
#[derive(SimpleObject)]
pub struct TrainingInvitation {
    /// The agency.
    agency: Option<Agency>,
    /// Most participants it may send.
    quota: Option<i32>,
    /// Participants it registered.
    registered: u64,
    /// Participants who came.
    attended: u64,
}

/// Participants of one category.
#[derive(SimpleObject)]
pub struct CategoryCount {
    /// Category.
    category: ParticipantCategory,
    /// Registered.
    registered: u64,
    /// Came.
    attended: u64,
}

/// A training session as the API shows it.
pub struct TrainingSession(Model);

impl From<Model> for TrainingSession {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A training session (lớp tập huấn, bồi dưỡng nghiệp vụ TTĐN).
#[Object]
impl TrainingSession {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Organizing agency.
    async fn organizer(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.organizer_id).await
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Topics.
    async fn topics(&self) -> Vec<&str> {
        self.0
            .topics
            .as_deref()
            .map(|t| t.lines().collect())
            .unwrap_or_default()
    }

    /// Start.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// End.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// Place.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// Link of an online session.
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }

    /// Mode.
    async fn mode(&self) -> TrainingMode {
        self.0.mode.into()
    }

    /// Most participants.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Co-organizing agencies.
    async fn co_organizers(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        let ids: Vec<uuid::Uuid> = self
            .0
            .co_organizers
            .split(',')
            .filter_map(|s| uuid::Uuid::try_parse(s).ok())
            .collect();
        let found = ctx.loaders()?.agency.load_many(ids).await?;
        Ok(found.into_values().map(Agency::from).collect())
    }

    /// Materials, by reference.
    async fn materials(&self) -> Vec<Material> {
        serde_json::from_str::<Vec<serde_json::Value>>(&self.0.materials)
            .unwrap_or_default()
            .into_iter()
            .map(|m| Material {
                name: m["name"].as_str().unwrap_or_default().to_owned(),
                url: m["url"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// Intended audience.
    async fn audience(&self) -> Vec<ParticipantCategory> {
        service::audience(&self.0)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Invited agencies with their quota and how many they sent.
    async fn invitations(&self, ctx: &Context<'_>) -> AppResult<Vec<TrainingInvitation>> {
        let loaders = ctx.loaders()?;
        let people = loaders
            .many::<service::relations::Participants>(self.0.id)
            .await?;
        let invited = loaders
            .many::<service::relations::Invitations>(self.0.id)
            .await?;
        let agencies = loaders
            .agency
            .load_many(invited.iter().map(|i| i.agency_id))
            .await?;
        Ok(invited
            .into_iter()
            .map(|i| TrainingInvitation {
                agency: agencies.get(&i.agency_id).cloned().map(Agency::from),
                quota: i.quota,
                registered: people.iter().filter(|p| p.agency_id == i.agency_id).count() as u64,
                attended: people
                    .iter()
                    .filter(|p| p.agency_id == i.agency_id && p.attended == Some(true))
                    .count() as u64,
            })
            .collect())
    }

    /// Invited agencies that registered nobody, or of whom nobody came once attendance is
    /// recorded.
    async fn absent_agencies(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        let loaders = ctx.loaders()?;
        let people = loaders
            .many::<service::relations::Participants>(self.0.id)
            .await?;
        let recorded = people.iter().any(|p| p.attended.is_some());
        let absent: Vec<uuid::Uuid> = loaders
            .many::<service::relations::Invitations>(self.0.id)
            .await?
            .into_iter()
            .map(|i| i.agency_id)
            .filter(|a| {
                !people
                    .iter()
                    .any(|p| p.agency_id == *a && (!recorded || p.attended == Some(true)))
            })
            .collect();
        let found = loaders.agency.load_many(absent).await?;
        Ok(found.into_values().map(Agency::from).collect())
    }

    /// Registered participants (withdrawn ones excluded).
    async fn participants(&self, ctx: &Context<'_>) -> AppResult<Vec<Participant>> {
        Ok(ctx
            .loaders()?
            .many::<service::relations::Participants>(self.0.id)
            .await?
            .into_iter()
            .map(Participant)
            .collect())
    }

    /// Participants per category.
    async fn by_category(&self, ctx: &Context<'_>) -> AppResult<Vec<CategoryCount>> {
        let people = ctx
            .loaders()?
            .many::<service::relations::Participants>(self.0.id)
            .await?;
        let mut counts: BTreeMap<&'static str, (StoredCategory, u64, u64)> = BTreeMap::new();
        for p in &people {
            let key = match p.category {
                StoredCategory::Leader => "1",
                StoredCategory::Spokesperson => "2",
                StoredCategory::Officer => "3",
                StoredCategory::Reporter => "4",
            };
            let entry = counts.entry(key).or_insert((p.category, 0, 0));
            entry.1 += 1;
            entry.2 += u64::from(p.attended == Some(true));
        }
        Ok(counts
            .into_values()
            .map(|(category, registered, attended)| CategoryCount {
                category: category.into(),
                registered,
                attended,
            })
            .collect())
    }

    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Filters of training sessions.
#[derive(InputObject, Default)]
pub struct TrainingFilterInput {
    /// Organized by this agency or below it.
    organizer_within: Option<ID>,
    /// Starting at or after.
    from: Option<DateTime<Utc>>,
    /// Starting before.
    to: Option<DateTime<Utc>>,
    /// Only sessions changed at or after this time, oldest change first: for systems that poll.
    updated_since: Option<DateTime<Utc>>,
}

/// Queries of training sessions.
#[derive(Default)]
pub struct TrainingQuery;

#[Object]
impl TrainingQuery {
    /// One session.
    async fn training_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Session id.")] id: ID,
    ) -> AppResult<TrainingSession> {
        let id = TrainingId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Sessions organized in the caller's scope or to which it is invited, latest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn training_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<TrainingFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<TrainingSession>> {
        let filter = filter.unwrap_or_default();
        let filter = SessionFilter {
            organizer_within: filter
                .organizer_within
                .as_ref()
                .map(|id| parse_id("filter.organizerWithin", id).map(AgencyId))
                .transpose()?,
            from: filter.from,
            to: filter.to,
            updated_since: filter.updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }

    /// The sessions an agency attended in a period ("attended all the courses of the level
    /// above").
    async fn training_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agency.")] agency_id: ID,
        #[graphql(desc = "Starting at or after.")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Starting before.")] to: Option<DateTime<Utc>>,
    ) -> AppResult<Vec<TrainingSession>> {
        let agency = AgencyId(parse_id("agencyId", &agency_id)?);
        let rows = service::attended_by(ctx.db()?, ctx.actor()?, agency, from, to).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

/// A new session.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTrainingSessionInput {
    /// Organizing agency.
    organizer_id: ID,
    /// Title.
    title: String,
    /// Topics.
    topics: Option<Vec<String>>,
    /// Start.
    starts_at: DateTime<Utc>,
    /// End.
    ends_at: DateTime<Utc>,
    /// Place (a place or an online link is needed).
    place: Option<String>,
    /// Link of an online session.
    online_url: Option<String>,
    /// Mode.
    mode: TrainingMode,
    /// Most participants.
    capacity: i32,
    /// Intended audience.
    audience: Vec<ParticipantCategory>,
    /// Co-organizing agencies.
    co_organizer_ids: Option<Vec<ID>>,
    /// Materials, by reference.
    materials: Option<Vec<MaterialInput>>,
}

/// One invitation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainingInvitationInput {
    /// The agency.
    agency_id: ID,
    /// Most participants it may send.
    quota: Option<i32>,
}

/// Invitations to a session.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteToTrainingInput {
    /// The session.
    id: ID,
    /// Agencies and quotas (an existing invitation gets the new quota).
    invitations: Vec<TrainingInvitationInput>,
}

/// A person to register.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantInput {
    /// Full name.
    full_name: String,
    /// Position.
    title: Option<String>,
    /// Category.
    category: ParticipantCategory,
}

/// Registrations of one invited agency.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterForTrainingInput {
    /// The session.
    id: ID,
    /// The invited agency.
    agency_id: ID,
    /// The people.
    participants: Vec<ParticipantInput>,
}

/// A registration to withdraw.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawTrainingRegistrationInput {
    /// The participant.
    participant_id: ID,
}

/// One attendance mark.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceInput {
    /// The participant.
    participant_id: ID,
    /// Whether they came.
    attended: bool,
}

/// Attendance of a session.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordTrainingAttendanceInput {
    /// The session.
    id: ID,
    /// Marks.
    attendance: Vec<AttendanceInput>,
}

/// Result of a session mutation.
#[derive(SimpleObject)]
pub struct TrainingSessionPayload {
    /// The session after the change.
    training_session: TrainingSession,
}

impl From<Model> for TrainingSessionPayload {
    fn from(model: Model) -> Self {
        Self {
            training_session: model.into(),
        }
    }
}

/// Result of a registration.
#[derive(SimpleObject)]
pub struct RegistrationPayload {
    /// The registered people.
    participants: Vec<Participant>,
}

fn session_id(model: &Model) -> uuid::Uuid {
    model.id
}

/// Training sessions.
#[derive(Default)]
pub struct TrainingMutation;

#[Object]
impl TrainingMutation {
    /// Plans a session.
    async fn create_training_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session.")] input: CreateTrainingSessionInput,
    ) -> AppResult<TrainingSessionPayload> {
        let described = Mutation::new(
            "training.create",
            Operation::TrainingManage,
            "TrainingSession",
        )
        .input(&input);
        mutation::run(ctx, described, session_id, move |txn, actor| {
            Box::pin(async move {
                let topics: Vec<String> = input
                    .topics
                    .iter()
                    .flatten()
                    .map(|t| text::required_line("topics", t, 200))
                    .collect::<AppResult<_>>()?;
                let new = NewSession {
                    organizer: AgencyId(parse_id("organizerId", &input.organizer_id)?),
                    title: text::required_line("title", &input.title, 500)?,
                    topics: (!topics.is_empty()).then(|| topics.join("\n")),
                    starts_at: input.starts_at,
                    ends_at: input.ends_at,
                    place: text::optional(input.place.as_deref(), |v| {
                        text::required_line("place", v, 500)
                    })?,
                    online_url: text::optional(input.online_url.as_deref(), |v| {
                        text::url("onlineUrl", v)
                    })?,
                    mode: input.mode.into(),
                    capacity: input.capacity,
                    audience: input.audience.iter().map(|c| (*c).into()).collect(),
                    co_organizers: input
                        .co_organizer_ids
                        .iter()
                        .flatten()
                        .map(|id| parse_id("coOrganizerIds", id).map(AgencyId))
                        .collect::<AppResult<_>>()?,
                    materials: input
                        .materials
                        .iter()
                        .flatten()
                        .map(|m| {
                            Ok((
                                text::required_line("materials.name", &m.name, 255)?,
                                text::url("materials.url", &m.url)?,
                            ))
                        })
                        .collect::<AppResult<_>>()?,
                };
                service::create(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Invites agencies, with optional quotas.
    async fn invite_to_training(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitations.")] input: InviteToTrainingInput,
    ) -> AppResult<TrainingSessionPayload> {
        let described = Mutation::new(
            "training.invite",
            Operation::TrainingManage,
            "TrainingSession",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, described, session_id, move |txn, actor| {
            Box::pin(async move {
                let id = TrainingId(parse_id("id", &input.id)?);
                let invited = input
                    .invitations
                    .iter()
                    .map(|i| {
                        parse_id("invitations.agencyId", &i.agency_id)
                            .map(|a| (AgencyId(a), i.quota))
                    })
                    .collect::<AppResult<Vec<_>>>()?;
                service::invite(txn, actor, id, &invited).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Registers participants of an invited agency (the agency itself, or an agency above it).
    async fn register_for_training(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The registrations.")] input: RegisterForTrainingInput,
    ) -> AppResult<RegistrationPayload> {
        let described = Mutation::new(
            "training.register",
            Operation::TrainingRegister,
            "TrainingSession",
        )
        .on(&input.id)
        .input(&input);
        let session = parse_id("id", &input.id).unwrap_or_default();
        mutation::run(
            ctx,
            described,
            move |_: &Vec<participant::Model>| session,
            move |txn, actor| {
                Box::pin(async move {
                    let id = TrainingId(parse_id("id", &input.id)?);
                    let agency = AgencyId(parse_id("agencyId", &input.agency_id)?);
                    let people = input
                        .participants
                        .iter()
                        .map(|p| {
                            Ok(Registration {
                                full_name: text::required_line(
                                    "participants.fullName",
                                    &p.full_name,
                                    255,
                                )?,
                                title: text::optional(p.title.as_deref(), |v| {
                                    text::required_line("participants.title", v, 255)
                                })?,
                                category: p.category.into(),
                            })
                        })
                        .collect::<AppResult<Vec<_>>>()?;
                    service::register(txn, actor, id, agency, people).await
                })
            },
        )
        .await
        .map(|rows| RegistrationPayload {
            participants: rows.into_iter().map(Participant).collect(),
        })
    }

    /// Withdraws a registration before the session starts.
    async fn withdraw_training_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The registration.")] input: WithdrawTrainingRegistrationInput,
    ) -> AppResult<RegistrationPayload> {
        let described = Mutation::new(
            "training.withdraw",
            Operation::TrainingRegister,
            "TrainingParticipant",
        )
        .on(&input.participant_id)
        .input(&input);
        mutation::run(
            ctx,
            described,
            |p: &participant::Model| p.id,
            move |txn, actor| {
                Box::pin(async move {
                    let id = ParticipantId(parse_id("participantId", &input.participant_id)?);
                    service::withdraw(txn, actor, id).await
                })
            },
        )
        .await
        .map(|row| RegistrationPayload {
            participants: vec![Participant(row)],
        })
    }

    /// Records who came, after the start.
    async fn record_training_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The marks.")] input: RecordTrainingAttendanceInput,
    ) -> AppResult<TrainingSessionPayload> {
        let described = Mutation::new(
            "training.attendance",
            Operation::TrainingManage,
            "TrainingSession",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, described, session_id, move |txn, actor| {
            Box::pin(async move {
                let id = TrainingId(parse_id("id", &input.id)?);
                let marks = input
                    .attendance
                    .iter()
                    .map(|m| {
                        parse_id("attendance.participantId", &m.participant_id)
                            .map(|p| (ParticipantId(p), m.attended))
                    })
                    .collect::<AppResult<Vec<_>>>()?;
                service::record_attendance(txn, actor, id, &marks).await
            })
        })
        .await
        .map(Into::into)
    }
}
