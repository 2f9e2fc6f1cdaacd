//! Reading reports: the list under the visibility rule, one report, what an agency still owes
//! ("what do I owe, by when"), the đôn đốc (chase) list down the cascade, and the submitted
//! versions of a report.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, ObligationId, ReportId},
    in_order::{InOrder, ReadInOrder},
    report::{self, ReportStatus},
    report_version,
    reporting_obligation::{self as obligation, Column, Entity as Obligation, ObligationStatus},
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, FromQueryResult, JoinType, Order, QueryFilter, QueryOrder, QueryResult, Select,
    TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement},
};
use uuid::Uuid;

use super::service::report_not_found;
use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, province_path},
    db,
    error::{AppError, AppResult, Msg},
    graphql::{
        pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
        shaped::Shapes,
    },
    policy::{self, Operation, Visibility},
    time,
};

/// Reports `actor` may see: of agencies in its scope, or of obligations issued in its scope.
/// Both agencies are read from the report's own row (its recipient, and its obligation's
/// issuer, which a report carries: migration 25), tested against the one set of agencies in
/// scope.
pub(super) fn visible_reports(actor: &Actor) -> AppResult<Select<report::Entity>> {
    visible_reports_on(None, actor, Read::Count)
}

/// What is read under the rule: a page of a list in its order, or anything else (a list's
/// count, reports looked up by key), for which SQLite keeps the rule's indexes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// A page of a list, in the list's order.
    Page,
    /// A count, or a lookup by key.
    Count,
}

/// [`visible_reports`], for a list read from `backend` (`None`: a lookup by keys).
///
/// SQLite cannot tell how many reports the rule lets through: it reads them through the
/// rule's indexes, then sorts them. For a page in a scope that is a whole province most
/// reports pass, and walking the list's order until the page is full is faster (the
/// department's page: 0.19 ms instead of 7.3 in the province, 1.4 instead of 8.4
/// nationally), so the rule's terms are then kept off their indexes ([`db::unindexed`]); for a
/// smaller scope, or to count, the rule's indexes are the way.
fn visible_reports_on(
    backend: Option<DbBackend>,
    actor: &Actor,
    read: Read,
) -> AppResult<Select<report::Entity>> {
    let visibility = policy::visibility(actor, Operation::ObligationRead)?;
    let select = report::Entity::find();
    let Some(agencies) = agency_service::ids_visible(&visibility) else {
        return Ok(select);
    };
    let walk = read == Read::Page
        && backend == Some(DbBackend::Sqlite)
        && matches!(&visibility, Visibility::Subtree(path) if province_path(path) == *path);
    let term = |column: report::Column| {
        if walk {
            db::unindexed(DbBackend::Sqlite, column)
        } else {
            Expr::col(column.as_column_ref())
        }
    };
    Ok(select.filter(
        Condition::any()
            .add(term(report::Column::RecipientAgencyId).in_subquery(agencies.clone()))
            .add(term(report::Column::IssuerAgencyId).in_subquery(agencies)),
    ))
}

/// The reports `actor` may see as two parts that no report belongs to twice, whose counts add
/// up to the count of [`visible_reports`]: those addressed to an agency in scope, and those of
/// obligations issued in scope addressed to an agency outside it (`None`: every report).
///
/// For counting on PostgreSQL. The rule's `OR` is tested report by report over the whole
/// table (68–105 ms nationally for a province's 14,976 reports among the country's 509,184);
/// each part alone is found through its index, so that the count costs what the scope holds
/// at any scale (10 ms nationally, 7 in the province; docs/performance.md).
fn visible_reports_apart(actor: &Actor) -> AppResult<Option<[Select<report::Entity>; 2]>> {
    let visibility = policy::visibility(actor, Operation::ObligationRead)?;
    let Some(agencies) = agency_service::ids_visible(&visibility) else {
        return Ok(None);
    };
    let addressed_here = report::Entity::find()
        .filter(report::Column::RecipientAgencyId.in_subquery(agencies.clone()));
    let addressed_elsewhere = report::Entity::find()
        .filter(db::in_computed_first(
            DbBackend::Postgres,
            report::Column::IssuerAgencyId,
            agencies.clone(),
        ))
        .filter(report::Column::RecipientAgencyId.not_in_subquery(agencies));
    Ok(Some([addressed_here, addressed_elsewhere]))
}

/// Filters of the report list.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// Reports of this obligation.
    pub obligation: Option<ObligationId>,
    /// Reports of this agency or of agencies below it.
    pub recipient_within: Option<AgencyId>,
    /// Only these statuses.
    pub statuses: Vec<report::ReportStatus>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

impl ReportFilter {
    /// Whether the filter narrows the list beyond the visibility rule (written out field by
    /// field, so that a new filter cannot be forgotten here).
    fn narrows(&self) -> bool {
        let Self {
            obligation,
            recipient_within,
            statuses,
            updated_since,
        } = self;
        obligation.is_some()
            || recipient_within.is_some()
            || !statuses.is_empty()
            || updated_since.is_some()
    }
}

/// One page of the reports `actor` may read, soonest due first (or in the order of their
/// changes, with `updated_since`); each with what `beside` reads.
pub async fn reports(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &ReportFilter,
    page: &PageRequest,
    beside: ReportBeside,
) -> AppResult<(Page<ReportWith>, TotalCount)> {
    let within = match filter.recipient_within {
        Some(root) => Some(agency_service::get(db, root).await?.path),
        None => None,
    };
    let backend = db.get_database_backend();
    let narrowed = |mut select: Select<report::Entity>| {
        if let Some(obligation) = filter.obligation {
            select = select.filter(report::Column::ObligationId.eq(obligation.0));
        }
        if let Some(path) = &within {
            select = select.filter(
                report::Column::RecipientAgencyId.in_subquery(agency_service::ids_under(path)),
            );
        }
        if !filter.statuses.is_empty() {
            select = select.filter(report::Column::Status.is_in(filter.statuses.iter().copied()));
        }
        changed_since(select, filter.updated_since)
    };
    let apart = match backend {
        DbBackend::Postgres => visible_reports_apart(actor)?,
        _ => None,
    };
    let total = match apart {
        Some(parts) => TotalCount::sum_of(db, parts.map(narrowed)),
        None => TotalCount::of(
            db,
            narrowed(visible_reports_on(Some(backend), actor, Read::Count)?),
        ),
    };
    // PostgreSQL walks the list's index for a page; for a scope that is one province of many
    // most of the rows it passes are refused, and the index holds what the rule tests
    // (migration 25): the walk reads the index alone, and the page's rows are read after. Only
    // when the rule is all the list tests: with a filter on a column the index lacks (a
    // status; a poll's walk along `updated_at`), PostgreSQL planned the keys' subquery as a
    // sort of every report (140 and 698 ms nationally, against 16 and 6 walking rows).
    let keys_first = backend == DbBackend::Postgres && !filter.narrows();
    let page = page.keys_first(keys_first);
    let select = narrowed(visible_reports_on(Some(backend), actor, Read::Page)?);
    let rows = if keys_first && page.after.is_some() {
        // A page after a cursor: in a province PostgreSQL estimates the cursor's own plan
        // cheaper than the plan it could keep, and planned the page afresh each time (0.5–0.8
        // ms, more than running it). The kept plan is the same walk from the cursor; it is
        // asked for, for this statement alone (`SET LOCAL`, in a transaction that only reads).
        let txn = db.begin().await?;
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
            .await?;
        let rows = report_page(&txn, &page, select, filter, &beside).await?;
        txn.commit().await?;
        rows
    } else {
        report_page(db, &page, select, filter, &beside).await?
    };
    Ok((rows, total))
}

/// A page of `select` in the reports' list order, with what is read beside each.
async fn report_page<C: ConnectionTrait>(
    db: &C,
    page: &PageRequest,
    select: Select<report::Entity>,
    filter: &ReportFilter,
    beside: &ReportBeside,
) -> AppResult<Page<ReportWith>> {
    page.fetch_polled_joined(
        db,
        select,
        filter.updated_since,
        (report::Column::DueDate, Order::Asc),
        beside,
        |r| (SortKey::Date(r.due_date), r.id),
    )
    .await
}

/// One report, if visible.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
) -> AppResult<report::Model> {
    visible_reports(actor)?
        .filter(report::Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(report_not_found)
}

/// Every report of an obligation (the caller already sees the obligation).
pub async fn reports_of<C: ConnectionTrait>(
    db: &C,
    obligation: ObligationId,
) -> AppResult<Vec<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::ObligationId.eq(obligation.0))
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?)
}

/// A report of a list, with what the list was asked to show beside it.
#[derive(Debug)]
pub struct ReportWith {
    /// The report.
    pub report: report::Model,
    /// Its obligation, when [`ReportBeside::obligation`].
    pub obligation: Option<obligation::Model>,
    /// The obligation's issuer, when [`ReportBeside::issuer`].
    pub issuer: Option<agency::Model>,
    /// The reporting agency, when [`ReportBeside::recipient`].
    pub recipient: Option<agency::Model>,
}

/// What a list of reports reads beside each report, in its own statement: the obligation, the
/// obligation's issuer and the recipient, the rows a page of reports shows beside each
/// (`reportsDue` with the obligation's title and issuer's name, the department's received
/// reports with the obligation's title and the recipient's name, the đôn đốc list with the
/// obligation's document and whom to contact). Reading them there spares the statement of
/// each (a round trip, planned and decoded once per request): such a page runs one statement
/// instead of three.
///
/// Each row is one the caller may see wherever the report shows it: agencies are public, and
/// the obligation of a report the caller may see is one it may see (a report is visible when
/// addressed to an agency in scope or of an obligation issued in scope; an obligation is
/// visible when issued in scope or addressed to an agency in scope).
///
/// Left joins, so that each database keeps the report as the outer loop of its plan, walking
/// the list's order (every report has its obligation and agency: foreign keys).
#[derive(Clone, Copy, Debug, Default, Hash, PartialEq, Eq)]
pub struct ReportBeside {
    /// Read each report's obligation.
    pub obligation: bool,
    /// Read each obligation's issuer.
    pub issuer: bool,
    /// Read each report's recipient.
    pub recipient: bool,
}

impl db::Joined<report::Entity> for ReportBeside {
    type Item = ReportWith;

    fn join(&self, query: &mut SelectStatement) {
        let (o, i, r) = (Alias::new("o"), Alias::new("i"), Alias::new("r"));
        if self.obligation || self.issuer {
            query.join_as(
                JoinType::LeftJoin,
                Obligation,
                o.clone(),
                Expr::col((o.clone(), Column::Id))
                    .equals((report::Entity, report::Column::ObligationId)),
            );
        }
        if self.obligation {
            db::select_also::<Obligation>(query, o.clone(), "o_");
        }
        if self.issuer {
            query.join_as(
                JoinType::LeftJoin,
                agency::Entity,
                i.clone(),
                Expr::col((i.clone(), agency::Column::Id)).equals((o, Column::IssuerAgencyId)),
            );
            db::select_also::<agency::Entity>(query, i, "i_");
        }
        if self.recipient {
            query.join_as(
                JoinType::LeftJoin,
                agency::Entity,
                r.clone(),
                Expr::col((r.clone(), agency::Column::Id))
                    .equals((report::Entity, report::Column::RecipientAgencyId)),
            );
            db::select_also::<agency::Entity>(query, r, "r_");
        }
    }

    fn read(&self, row: &QueryResult) -> Result<ReportWith, DbErr> {
        let agency = |asked: bool, prefix: &str| {
            asked
                .then(|| agency::Model::from_query_result(row, prefix))
                .transpose()
        };
        Ok(ReportWith {
            report: report::Model::from_query_result(row, "")?,
            obligation: self
                .obligation
                .then(|| obligation::Model::from_query_result(row, "o_"))
                .transpose()?,
            issuer: agency(self.issuer, "i_")?,
            recipient: agency(self.recipient, "r_")?,
        })
    }

    type Base = report::Model;

    fn base(item: &ReportWith) -> &report::Model {
        &item.report
    }
}

/// An obligation as a list of reports reads it beside a listed report: its title, and its
/// issuer's listed columns when the query shows the issuer.
#[derive(Clone, Debug)]
pub struct ListedObligation {
    /// The obligation's listed columns.
    pub row: obligation::Listed,
    /// Its issuer's.
    pub issuer: Option<agency::Listed>,
}

/// A report of a list read narrow ([`report::Listed`]), with its obligation's listed columns
/// when the query shows the obligation.
#[derive(Debug)]
pub struct ListedWith {
    /// The report's listed columns.
    pub report: report::Listed,
    /// Its obligation's, when [`ReportBeside::obligation`].
    pub obligation: Option<ListedObligation>,
}

/// [`ReportBeside`] reading only the listed columns of the report, its obligation and the
/// issuer: for a page whose query shows nothing else ("what do I owe": each report's due date
/// beside its obligation's title and issuer's name reads 16 columns a row instead of 60).
struct ListedBeside(ReportBeside);

impl ListedBeside {
    /// `select` narrowed to the report's listed columns, with the obligation's and the
    /// issuer's looked up by key (`db::look_up`), when asked.
    fn of(&self, backend: DbBackend, select: Select<report::Entity>) -> Select<report::Entity> {
        use sea_orm::{PartialModelTrait, QuerySelect, QueryTrait};
        let mut select = report::Listed::select_cols(select.select_only());
        let beside = self.0;
        if beside.obligation {
            db::look_up::<Obligation>(
                QueryTrait::query(&mut select),
                backend,
                "o",
                Column::Id,
                report::Entity,
                report::Column::ObligationId,
            );
            select = obligation::Listed::select_cols_nested(select, Some("o_"), Some("o"));
            if beside.issuer {
                // The report carries its obligation's issuer (migration 25).
                db::look_up::<agency::Entity>(
                    QueryTrait::query(&mut select),
                    backend,
                    "i",
                    agency::Column::Id,
                    report::Entity,
                    report::Column::IssuerAgencyId,
                );
                select = agency::Listed::select_cols_nested(select, Some("i_"), Some("i"));
            }
        }
        select
    }
}

impl db::Joined<report::Entity> for ListedBeside {
    type Item = ListedWith;
    type Base = report::Listed;

    /// Joined already by [`ListedBeside::of`].
    fn join(&self, _: &mut SelectStatement) {}

    /// Read by position, in the order [`ListedBeside::of`] selects the columns: the report's,
    /// the obligation's, the issuer's (`entity::in_order`).
    fn read(&self, row: &QueryResult) -> Result<ListedWith, DbErr> {
        let mut columns = InOrder::new(row);
        let report = report::Listed::read_in_order(&mut columns)?;
        let obligation = if self.0.obligation {
            Some(ListedObligation {
                row: obligation::Listed::read_in_order(&mut columns)?,
                issuer: self
                    .0
                    .issuer
                    .then(|| agency::Listed::read_in_order(&mut columns))
                    .transpose()?,
            })
        } else {
            None
        };
        Ok(ListedWith { report, obligation })
    }

    fn base(item: &ListedWith) -> &report::Listed {
        &item.report
    }
}

/// The reports the caller's agency still owes (not started, draft, returned), soonest due
/// first: "what do I owe, by when"; each with what `beside` reads.
pub async fn due_for(
    db: &DatabaseConnection,
    actor: &Actor,
    page: &PageRequest,
    beside: ReportBeside,
) -> AppResult<(Page<ReportWith>, TotalCount)> {
    let agency = owing_agency(actor)?;
    let rows = page_by_due_date(db, owed_by(agency), page, &beside, |r| (r.due_date, r.id)).await?;
    Ok((rows, owed_count(db, agency)))
}

/// [`due_for`] with each report, its obligation and issuer read as [`ListedWith`] alone, for
/// a page whose query shows nothing else (`beside.recipient` is not read).
pub async fn due_for_listed(
    db: &DatabaseConnection,
    actor: &Actor,
    page: &PageRequest,
    beside: ReportBeside,
) -> AppResult<(Page<ListedWith>, TotalCount)> {
    let agency = owing_agency(actor)?;
    let listed = ListedBeside(beside);
    let backend = db.get_database_backend();
    // Its statement is written once per shape (what is read beside, whether a cursor bounds
    // it) and reused with each caller's agency: building the select and writing its SQL cost
    // about 100,000 instructions a page, a sixth of the request (docs/performance.md).
    static SHAPES: LazyLock<Shapes<((bool, ReportBeside), bool)>> = LazyLock::new(Shapes::default);
    let rows = page
        .fetch_shaped(
            db,
            (&SHAPES, (backend == DbBackend::Postgres, beside)),
            agency,
            |agency| listed.of(backend, owed_by(agency)),
            (report::Column::DueDate, report::Column::Id),
            Order::Asc,
            &listed,
            |r| (SortKey::Date(r.due_date), r.id),
        )
        .await?;
    Ok((rows, owed_count(db, agency)))
}

/// The caller's agency, whose owed reports it reads, once it may read obligations.
fn owing_agency(actor: &Actor) -> AppResult<Uuid> {
    policy::require(actor, Operation::ObligationRead)?;
    Ok(actor.agency_id().map_or(Uuid::nil(), |a| a.0))
}

/// How many reports `agency` owes, counted from a select made only when the count is asked
/// for: cloning the page's select and wrapping it into the count cost about 26,000
/// instructions per page, and most pages do not ask.
fn owed_count(db: &DatabaseConnection, agency: Uuid) -> TotalCount {
    TotalCount::later(db, move || owed_by(agency))
}

/// The reports `agency` still owes, of obligations in force.
fn owed_by(agency: Uuid) -> Select<report::Entity> {
    // A correlated EXISTS, not `obligation_id IN (live obligations)`: the planner then starts
    // from the agency's own reports (an index lookup) instead of probing every obligation.
    // The statuses are the statement's own constants, written into it (`db::constant`):
    // PostgreSQL's kept plan then estimates them as a fresh one would and is kept.
    let live = Query::select()
        .expr(db::constant(1))
        .from(Obligation)
        .and_where(
            Expr::col((Obligation, Column::Id))
                .equals((report::Entity, report::Column::ObligationId)),
        )
        .and_where(
            Expr::col((Obligation, Column::Status))
                .eq(db::constant(ObligationStatus::Issued.into_value())),
        )
        .to_owned();
    let owed = [
        ReportStatus::NotStarted,
        ReportStatus::Draft,
        ReportStatus::Returned,
    ];
    report::Entity::find()
        .filter(report::Column::RecipientAgencyId.eq(agency))
        .filter(
            Expr::col((report::Entity, report::Column::Status))
                .is_in(owed.map(|status| db::constant(status.into_value()))),
        )
        .filter(Expr::exists(live))
}

/// Filters of the đôn đốc (chase) list.
#[derive(Clone, Debug, Default)]
pub struct ChaseFilter {
    /// Reports due at most this many days from today (0: overdue or due today).
    pub due_within_days: u32,
    /// Only recipients of these kinds (the level: districts, communes…).
    pub kinds: Vec<AgencyKind>,
    /// Only recipients in this agency's subtree.
    pub within: Option<AgencyId>,
    /// Only reports of this obligation and of those passing it on, down the cascade.
    pub obligation: Option<ObligationId>,
}

/// The look-ahead of the chase list: 0 (overdue or due today) to 366 days, 0 when not given.
pub fn chase_days(raw: Option<i32>) -> AppResult<u32> {
    let days = raw.unwrap_or(0);
    if !(0..=366).contains(&days) {
        return Err(AppError::bad_input(
            "dueWithinDays",
            Msg::new("Số ngày từ 0 đến 366", "dueWithinDays is between 0 and 366"),
        ));
    }
    Ok(days as u32)
}

/// Levels of "passed on" followed down from an obligation in the chase list's filter.
const CASCADE_DEPTH: usize = 4;

/// The đôn đốc list: every report still owed (not started, in draft, or returned and not
/// resubmitted) by an agency of the caller's scope other than its own, of obligations in
/// force, overdue or due within `due_within_days`, across obligations, soonest due first.
pub async fn to_chase<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ChaseFilter,
) -> AppResult<Select<report::Entity>> {
    let visibility = policy::visibility(actor, Operation::ObligationRead)?;
    let until = time::today() + chrono::Duration::days(i64::from(filter.due_within_days));
    let live = Query::select()
        .column(Column::Id)
        .from(Obligation)
        .and_where(Column::Status.eq(ObligationStatus::Issued))
        .to_owned();
    let mut select = report::Entity::find()
        .filter(report::Column::Status.is_in([
            ReportStatus::NotStarted,
            ReportStatus::Draft,
            ReportStatus::Returned,
        ]))
        .filter(report::Column::DueDate.lte(until))
        .filter(report::Column::ObligationId.in_subquery(live));
    if let Some(agencies) = agency_service::ids_visible(&visibility) {
        select = select.filter(report::Column::RecipientAgencyId.in_subquery(agencies));
    }
    if let Some(own) = actor.agency_id() {
        select = select.filter(report::Column::RecipientAgencyId.ne(own.0));
    }
    if let Some(root) = filter.within {
        let root = agency_service::get(db, root).await?;
        select = select.filter(
            report::Column::RecipientAgencyId.in_subquery(agency_service::ids_under(&root.path)),
        );
    }
    if !filter.kinds.is_empty() {
        let of_kinds = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::Kind.is_in(filter.kinds.iter().copied()))
            .to_owned();
        select = select.filter(report::Column::RecipientAgencyId.in_subquery(of_kinds));
    }
    if let Some(root) = filter.obligation {
        let mut cascade = Condition::any().add(report::Column::ObligationId.eq(root.0));
        let mut level = Query::select()
            .column(Column::Id)
            .from(Obligation)
            .and_where(Column::ParentId.eq(root.0))
            .to_owned();
        for depth in 0..CASCADE_DEPTH {
            cascade = cascade.add(report::Column::ObligationId.in_subquery(level.clone()));
            if depth + 1 < CASCADE_DEPTH {
                level = Query::select()
                    .column(Column::Id)
                    .from(Obligation)
                    .and_where(Column::ParentId.in_subquery(level))
                    .to_owned();
            }
        }
        select = select.filter(cascade);
    }
    Ok(select)
}

/// One page of the đôn đốc list, each report with what `beside` reads (every report of the
/// list is addressed to an agency in the caller's scope, so its obligation is one it may see).
pub async fn chase_page(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &ChaseFilter,
    page: &PageRequest,
    beside: ReportBeside,
) -> AppResult<(Page<ReportWith>, TotalCount)> {
    let select = to_chase(db, actor, filter).await?;
    let total = TotalCount::of(db, select.clone());
    let rows = page_by_due_date(db, select, page, &beside, |r| (r.due_date, r.id)).await?;
    Ok((rows, total))
}

/// One page of `select`'s reports, soonest due first (`key_of`: a row's due date and id), each
/// with what `joined` reads beside it.
async fn page_by_due_date<J: db::Joined<report::Entity>>(
    db: &DatabaseConnection,
    select: Select<report::Entity>,
    page: &PageRequest,
    joined: &J,
    key_of: impl Fn(&J::Base) -> (chrono::NaiveDate, Uuid),
) -> AppResult<Page<J::Item>> {
    page.fetch_joined(
        db,
        select,
        (report::Column::DueDate, report::Column::Id),
        Order::Asc,
        joined,
        |r| {
            let (due, id) = key_of(r);
            (SortKey::Date(due), id)
        },
    )
    .await
}

/// Days a report is overdue today (0 on its due date, negative while days are left).
pub fn days_overdue(due_date: chrono::NaiveDate) -> i64 {
    (time::today() - due_date).num_days()
}

/// Submitted versions of a report, oldest first.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    report: ReportId,
) -> AppResult<Vec<report_version::Model>> {
    Ok(report_version::Entity::find()
        .filter(report_version::Column::ReportId.eq(report.0))
        .order_by_asc(report_version::Column::Number)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use sea_orm::QueryTrait;

    use super::*;

    #[test]
    fn what_is_owed_binds_only_the_agency() {
        let statement = owed_by(Uuid::nil()).build(DbBackend::Postgres);
        for status in ["'NOT_STARTED'", "'DRAFT'", "'RETURNED'", "'ISSUED'"] {
            assert!(statement.sql.contains(status), "{}", statement.sql);
        }
        assert_eq!(statement.values.expect("values").0.len(), 1);
    }
}
