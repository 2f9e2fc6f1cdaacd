//! Consolidation of a whole cascade: an obligation, the obligations its recipients passed on,
//! those passed on again, and all their reports, level by level.
//!
//! Two ways to add the figures up, which differ when an intermediate level edits what its
//! subordinates sent:
//! - **as consolidated**: the reports of the obligation's own recipients, as each level
//!   consolidated them (a district's report already sums its communes);
//! - **from the leaves**: each recipient that passed the obligation on is replaced by the
//!   reports it received, down to the agencies that did not pass it on, and those are summed.

use std::collections::HashMap;

use entity::{report, reporting_obligation::Column, reporting_obligation::Entity as Obligation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    service::{ComplianceState, MetricTotal, roll_up, state_of},
    templates::Spec,
};
use crate::{error::AppResult, time};

/// Levels followed down from the obligation (province, district, commune and more).
const MAX_DEPTH: usize = 6;

/// How the cascade's figures are added up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The obligation's own recipients' reports.
    AsConsolidated,
    /// The reports of the agencies that did not pass the obligation on, at any depth.
    FromLeaves,
}

/// One report of the cascade with where it sits.
#[derive(Clone, Debug)]
pub struct Placed {
    /// 1 for the obligation's own recipients, 2 for those they asked, …
    pub depth: usize,
    /// The agency that asked for it (the issuer of its obligation).
    pub asked_by: Uuid,
    /// The report.
    pub report: report::Model,
    /// Where it stands today.
    pub state: ComplianceState,
}

/// The cascade below one obligation.
#[derive(Clone, Debug, Default)]
pub struct Cascade {
    /// Every report, level by level.
    pub reports: Vec<Placed>,
    /// For an (obligation, recipient) pair, the obligations that recipient passed it on with.
    passed_on: HashMap<(Uuid, Uuid), Vec<Uuid>>,
    /// Reports of each obligation.
    by_obligation: HashMap<Uuid, Vec<usize>>,
    root: Uuid,
}

impl Cascade {
    /// Reads the cascade below `root` (which the caller may see, from the issuer's side).
    pub async fn load<C: ConnectionTrait>(db: &C, root: Uuid) -> AppResult<Self> {
        let today = time::today();
        let mut cascade = Cascade {
            root,
            ..Default::default()
        };
        let Some(top) = Obligation::find_by_id(root).one(db).await? else {
            return Ok(cascade);
        };
        let mut level = vec![(top.id, top.issuer_agency_id)];
        for depth in 1..=MAX_DEPTH {
            if level.is_empty() {
                break;
            }
            let ids: Vec<Uuid> = level.iter().map(|(id, _)| *id).collect();
            let issuers: HashMap<Uuid, Uuid> = level.iter().copied().collect();
            let rows = report::Entity::find()
                .filter(report::Column::ObligationId.is_in(ids.clone()))
                .order_by_asc(report::Column::Id)
                .all(db)
                .await?;
            for row in rows {
                let index = cascade.reports.len();
                cascade
                    .by_obligation
                    .entry(row.obligation_id)
                    .or_default()
                    .push(index);
                cascade.reports.push(Placed {
                    depth,
                    asked_by: issuers.get(&row.obligation_id).copied().unwrap_or_default(),
                    state: state_of(&row, today),
                    report: row,
                });
            }
            let children = Obligation::find()
                .filter(Column::ParentId.is_in(ids))
                .order_by_asc(Column::CreatedAt)
                .all(db)
                .await?;
            level = Vec::new();
            for child in children {
                if let Some(parent) = child.parent_id {
                    cascade
                        .passed_on
                        .entry((parent, child.issuer_agency_id))
                        .or_default()
                        .push(child.id);
                }
                level.push((child.id, child.issuer_agency_id));
            }
        }
        Ok(cascade)
    }

    /// The deepest level reached.
    pub fn depth(&self) -> usize {
        self.reports.iter().map(|p| p.depth).max().unwrap_or(0)
    }

    /// The reports at `depth`.
    pub fn at(&self, depth: usize) -> impl Iterator<Item = &Placed> {
        self.reports.iter().filter(move |p| p.depth == depth)
    }

    /// The reports that stand for the whole cascade in `mode`.
    fn counted(&self, mode: Mode) -> Vec<&report::Model> {
        let own: Vec<usize> = self
            .by_obligation
            .get(&self.root)
            .cloned()
            .unwrap_or_default();
        match mode {
            Mode::AsConsolidated => own.iter().map(|i| &self.reports[*i].report).collect(),
            Mode::FromLeaves => {
                let mut out = Vec::new();
                let mut stack = own;
                while let Some(index) = stack.pop() {
                    let row = &self.reports[index].report;
                    match self
                        .passed_on
                        .get(&(row.obligation_id, row.recipient_agency_id))
                    {
                        Some(children) => {
                            for child in children {
                                stack.extend(
                                    self.by_obligation.get(child).into_iter().flatten().copied(),
                                );
                            }
                        }
                        None => out.push(row),
                    }
                }
                out
            }
        }
    }

    /// The cascade's totals in `mode`.
    pub fn totals(&self, spec: &Spec, mode: Mode) -> Vec<MetricTotal> {
        let rows: Vec<report::Model> = self.counted(mode).into_iter().cloned().collect();
        roll_up(spec, &rows)
    }

    /// The totals of the reports at `depth`, as each agency sent them.
    pub fn level_totals(&self, spec: &Spec, depth: usize) -> Vec<MetricTotal> {
        let rows: Vec<report::Model> = self.at(depth).map(|p| p.report.clone()).collect();
        roll_up(spec, &rows)
    }
}
