//! Ways to reach obligations, reports and their parts in batches (see `graphql::loaders`).

use entity::{
    obligation_amendment as amendment, report, report_save, report_version,
    reporting_obligation::{Column, Entity as Obligation},
};
use sea_orm::{EntityTrait, Order, Select};

use super::{report_lists::visible_reports, service::visible};
use crate::{
    auth::actor::Actor,
    error::AppResult,
    graphql::loaders::{Relation, signed_in},
    policy::{self, Operation},
};

/// Obligations by id, among those the caller may see.
pub struct ById;

impl Relation for ById {
    type Entity = Obligation;
    fn key() -> Column {
        Column::Id
    }
    fn select(actor: Option<&Actor>) -> AppResult<Select<Obligation>> {
        visible(signed_in(actor)?)
    }
}

/// Obligations by id, for reports addressed to the caller's own agency. The visibility
/// rule shows an obligation to every agency it is addressed to, and a caller's own agency
/// is always among those it sees, so these need no rule: a read by key, without the rule's
/// two subqueries over the agency paths to plan and run (planning them took 0.4 to 0.6 ms
/// at every request when the loaders bound their keys with `IN`; docs/performance.md). The
/// caller still needs the right to read obligations.
pub struct AddressedById;

impl Relation for AddressedById {
    type Entity = Obligation;
    fn key() -> Column {
        Column::Id
    }
    fn select(actor: Option<&Actor>) -> AppResult<Select<Obligation>> {
        policy::require(signed_in(actor)?, Operation::ObligationRead)?;
        Ok(Obligation::find())
    }
}

/// Reports by id, among those the caller may see.
pub struct ReportById;

impl Relation for ReportById {
    type Entity = report::Entity;
    fn key() -> report::Column {
        report::Column::Id
    }
    fn select(actor: Option<&Actor>) -> AppResult<Select<report::Entity>> {
        visible_reports(signed_in(actor)?)
    }
}

/// The obligations passing one on (one level down the cascade) that the caller may see,
/// newest first.
pub struct Children;

impl Relation for Children {
    type Entity = Obligation;
    fn key() -> Column {
        Column::ParentId
    }
    fn select(actor: Option<&Actor>) -> AppResult<Select<Obligation>> {
        visible(signed_in(actor)?)
    }
    fn order() -> Vec<(Column, Order)> {
        vec![(Column::CreatedAt, Order::Desc), (Column::Id, Order::Desc)]
    }
}

/// The recorded changes of an obligation, oldest first.
pub struct Amendments;

impl Relation for Amendments {
    type Entity = amendment::Entity;
    fn key() -> amendment::Column {
        amendment::Column::ObligationId
    }
    fn order() -> Vec<(amendment::Column, Order)> {
        vec![
            (amendment::Column::AmendedAt, Order::Asc),
            (amendment::Column::Id, Order::Asc),
        ]
    }
}

/// The saves of a report's working copy, oldest first.
pub struct Saves;

impl Relation for Saves {
    type Entity = report_save::Entity;
    fn key() -> report_save::Column {
        report_save::Column::ReportId
    }
    fn order() -> Vec<(report_save::Column, Order)> {
        vec![
            (report_save::Column::SavedAt, Order::Asc),
            (report_save::Column::Id, Order::Asc),
        ]
    }
}

/// Every report of an obligation (for its issuer's side, who sees them all).
pub struct Reports;

impl Relation for Reports {
    type Entity = report::Entity;
    fn key() -> report::Column {
        report::Column::ObligationId
    }
    fn order() -> Vec<(report::Column, Order)> {
        vec![(report::Column::Id, Order::Asc)]
    }
}

/// The reports of an obligation the caller may see: all of them for the issuer's side, its
/// own for a recipient.
pub struct VisibleReports;

impl Relation for VisibleReports {
    type Entity = report::Entity;
    fn key() -> report::Column {
        report::Column::ObligationId
    }
    fn select(actor: Option<&Actor>) -> AppResult<Select<report::Entity>> {
        visible_reports(signed_in(actor)?)
    }
    fn order() -> Vec<(report::Column, Order)> {
        vec![(report::Column::Id, Order::Asc)]
    }
}

/// The submitted versions of a report, oldest first.
pub struct Versions;

impl Relation for Versions {
    type Entity = report_version::Entity;
    fn key() -> report_version::Column {
        report_version::Column::ReportId
    }
    fn order() -> Vec<(report_version::Column, Order)> {
        vec![(report_version::Column::Number, Order::Asc)]
    }
}

/// Report templates by id.
pub struct TemplateById;

impl Relation for TemplateById {
    type Entity = entity::report_template::Entity;
    fn key() -> entity::report_template::Column {
        entity::report_template::Column::Id
    }
}
