//! Typed ids: a `Uuid` that knows which table it points into, so that an agency id can never be
//! passed where another record's id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7), so that ids sort by creation time.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// Id of an [`crate::agency`] row.
    AgencyId
);

typed_id!(
    /// Id of a [`crate::user_account`] row.
    UserId
);

typed_id!(
    /// Id of a [`crate::session`] row.
    SessionId
);

typed_id!(
    /// Id of a [`crate::service_client`] row.
    ServiceClientId
);

typed_id!(
    /// Id of a [`crate::spokesperson`] row.
    SpokespersonId
);

typed_id!(
    /// Id of a [`crate::press_event`] row.
    PressEventId
);

typed_id!(
    /// Id of an [`crate::information_release`] row.
    ReleaseId
);

typed_id!(
    /// Id of a [`crate::press_request`] row.
    PressRequestId
);

typed_id!(
    /// Id of a [`crate::reporting_obligation`] row.
    ObligationId
);

typed_id!(
    /// Id of a [`crate::report`] row.
    ReportId
);

typed_id!(
    /// Id of a [`crate::report_template`] row.
    TemplateId
);

typed_id!(
    /// Id of an [`crate::incident`] row.
    IncidentId
);

typed_id!(
    /// Id of a [`crate::training_session`] row.
    TrainingId
);

typed_id!(
    /// Id of a [`crate::training_participant`] row.
    ParticipantId
);

typed_id!(
    /// Id of a [`crate::plan`] row.
    PlanId
);

typed_id!(
    /// Id of a [`crate::plan_task`] row.
    TaskId
);

typed_id!(
    /// Id of a [`crate::legal_setting`] row.
    LegalSettingId
);

typed_id!(
    /// Id of a [`crate::domain_event`] row.
    EventId
);

typed_id!(
    /// Id of a [`crate::notification`] row.
    NotificationId
);
