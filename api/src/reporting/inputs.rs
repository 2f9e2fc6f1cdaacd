//! The inputs of reporting's mutations: obligations issued, passed on, amended and withdrawn,
//! reports saved and reviewed, templates created; each checked into the service's own types.

use std::collections::BTreeMap;

use async_graphql::{ID, InputObject, MaybeUndefined};
use entity::{agency::AgencyKind as StoredAgencyKind, ids::AgencyId};
use serde::Serialize;

use super::{
    objects::{MetricKind, PeriodKind},
    service::{Recipients, ReportPatch},
};
use crate::{
    agency::schema::AgencyKind,
    document::DocumentInput,
    error::AppResult,
    graphql::{
        context::parse_id,
        scalars::{Date, Json},
    },
    text,
};

/// Recipients of an obligation: listed agencies and/or every current agency of some kinds in
/// the caller's scope.
#[derive(InputObject, Serialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RecipientsInput {
    /// Listed agencies.
    pub(super) agency_ids: Option<Vec<ID>>,
    /// Every current agency of these kinds in the caller's scope (e.g. [COMMUNE]).
    pub(super) kinds: Option<Vec<AgencyKind>>,
}

impl RecipientsInput {
    pub(super) fn parse(&self) -> AppResult<Recipients> {
        Ok(Recipients {
            agencies: self
                .agency_ids
                .iter()
                .flatten()
                .map(|id| parse_id("recipients.agencyIds", id).map(AgencyId))
                .collect::<AppResult<_>>()?,
            kinds: self
                .kinds
                .iter()
                .flatten()
                .map(|k| StoredAgencyKind::from(*k))
                .collect(),
        })
    }
}

/// A new obligation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueObligationInput {
    /// Issuing agency.
    pub(super) issuer_agency_id: ID,
    /// The request document (công văn).
    pub(super) document: Option<DocumentInput>,
    /// Title.
    pub(super) title: String,
    /// Period kind.
    pub(super) period_kind: PeriodKind,
    /// Year of the preset data period (used when periodStart/periodEnd are omitted), cut off on
    /// the day in force today for the issuer's province (`REPORTING_CUTOFF_DAY`).
    pub(super) period_year: Option<i32>,
    /// Month, quarter or half of the preset data period.
    pub(super) period_index: Option<u32>,
    /// First day of the data period (overrides the preset).
    pub(super) period_start: Option<Date>,
    /// Last day of the data period (overrides the preset).
    pub(super) period_end: Option<Date>,
    /// Due date (after the period's end).
    pub(super) due_date: Date,
    /// Template version.
    pub(super) template_id: ID,
    /// Recipients.
    pub(super) recipients: RecipientsInput,
}

/// Passing an obligation on to one's own subordinates.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CascadeObligationInput {
    /// The obligation received.
    pub(super) parent_id: ID,
    /// The passing-on document.
    pub(super) document: Option<DocumentInput>,
    /// Due date for the subordinates (no later than the parent's).
    pub(super) due_date: Date,
    /// Recipients among the caller's subordinates.
    pub(super) recipients: RecipientsInput,
}

/// Changes to an issued obligation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendObligationInput {
    /// The obligation.
    pub(super) id: ID,
    /// New (later) due date.
    pub(super) due_date: Option<Date>,
    /// Recipients to add.
    pub(super) add_recipients: Option<RecipientsInput>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    pub(super) expected_version: Option<i32>,
}

/// A withdrawal.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawObligationInput {
    /// The obligation.
    pub(super) id: ID,
    /// Why.
    pub(super) reason: String,
    /// The `version` the change is based on; a different current version is CONFLICT.
    pub(super) expected_version: Option<i32>,
}

/// A change to a report's working copy. It is merged into what was saved: a section or metric
/// given replaces the saved one, `null` clears it, one left out stays; `signerName`,
/// `signerTitle` and `document` likewise (left out: kept; `null`: cleared).
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInput {
    /// The report.
    pub(super) id: ID,
    /// Section texts by key, e.g. {"results": "…"}; a key with null clears that section.
    pub(super) sections: Option<Json<BTreeMap<String, Option<String>>>>,
    /// Metric values by key, e.g. {"press_conferences": 1, "press_requests": {"numerator": 3,
    /// "denominator": 4}}; a key with null clears that metric.
    pub(super) metrics: Option<Json<BTreeMap<String, serde_json::Value>>>,
    /// Signer's name.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub(super) signer_name: MaybeUndefined<String>,
    /// Signer's title, e.g. "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub(super) signer_title: MaybeUndefined<String>,
    /// The report's document.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub(super) document: MaybeUndefined<DocumentInput>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    pub(super) expected_version: Option<i32>,
}

/// A line of text given as a patch: left out, cleared, or checked.
fn patch_line(
    field: &'static str,
    value: &MaybeUndefined<String>,
) -> AppResult<Option<Option<String>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(text::required_line(field, v, 255)?)),
    })
}

impl ReportInput {
    pub(super) fn patch(&self) -> AppResult<ReportPatch> {
        Ok(ReportPatch {
            sections: self
                .sections
                .as_ref()
                .map(|s| s.0.clone())
                .unwrap_or_default(),
            metrics: self
                .metrics
                .as_ref()
                .map(|m| {
                    m.0.iter()
                        .map(|(k, v)| (k.clone(), (!v.is_null()).then(|| v.clone())))
                        .collect()
                })
                .unwrap_or_default(),
            signer_name: patch_line("signerName", &self.signer_name)?,
            signer_title: patch_line("signerTitle", &self.signer_title)?,
            document: match &self.document {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d.parse("document")?)),
            },
        })
    }
}

/// A review decision.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewReportInput {
    /// The report.
    pub(super) id: ID,
    /// The comment (required to return).
    pub(super) comment: Option<String>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    pub(super) expected_version: Option<i32>,
}

/// A section of a new template.
#[derive(InputObject, Serialize)]
pub struct TemplateSectionInput {
    /// Stable key (lower case, digits, '_').
    pub(super) key: String,
    /// Heading.
    pub(super) title: String,
    /// Whether a submission must fill it.
    pub(super) required: bool,
}

/// A metric of a new template.
#[derive(InputObject, Serialize)]
pub struct TemplateMetricInput {
    /// Stable key (lower case, digits, '_').
    pub(super) key: String,
    /// Label.
    pub(super) label: String,
    /// Unit.
    pub(super) unit: String,
    /// Type.
    pub(super) kind: MetricKind,
    /// Whether a submission must give it.
    pub(super) required: bool,
}

/// A new template version (version 1 of a new code, or the next version of an existing one).
#[derive(InputObject, Serialize)]
pub struct CreateReportTemplateInput {
    /// Code (capital letters, digits, '_').
    pub(super) code: String,
    /// Name.
    pub(super) name: String,
    /// What it is for.
    pub(super) description: Option<String>,
    /// Sections.
    pub(super) sections: Vec<TemplateSectionInput>,
    /// Metrics.
    pub(super) metrics: Vec<TemplateMetricInput>,
}
