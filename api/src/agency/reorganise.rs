//! The tree's reorganisations: moving an agency with its subtree under another parent, and
//! closing one into a successor (the 2025 reform merged districts and communes). Both keep
//! `parent_id` and the materialized `path` consistent for the whole subtree, inside the
//! caller's transaction, with the checks of [`super::service`].

use chrono::NaiveDate;
use entity::{
    agency::{ActiveModel, Column, Entity as Agency, Model},
    ids::AgencyId,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};

use super::service::{
    Details, active_on, check_details, check_kind_under, check_validity_under, check_version,
    child_path, get, input_parent, path_of, path_under, save,
};
use crate::{
    auth::actor::Actor,
    error::{AppError, AppResult, Msg},
    policy::{self, Operation},
};

/// Moves an agency (with its whole subtree) under `new_parent`, or makes it a root. Both ends
/// must be in the actor's scope.
#[tracing::instrument(skip_all, fields(agency.id = %id))]
pub async fn move_agency<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: AgencyId,
    new_parent: Option<AgencyId>,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let current = get(db, id).await?;
    policy::require_at(actor, Operation::AgencyWrite, Some(&current.path))?;
    let target_path = path_of(db, new_parent).await?;
    policy::require_at(actor, Operation::AgencyWrite, target_path.as_deref())?;
    check_version(&current, expected_version)?;
    let parent = match new_parent {
        Some(parent) => Some(input_parent(db, parent).await?),
        None => None,
    };
    if let Some(parent) = &parent
        && parent.path.starts_with(&current.path)
    {
        return Err(AppError::bad_input(
            "parentId",
            Msg::new(
                "Không thể chuyển cơ quan vào chính nó hoặc cơ quan trực thuộc nó",
                "An agency cannot move under itself or one of its descendants",
            ),
        ));
    }
    if parent.as_ref().map(|p| p.id) == current.parent_id {
        return Ok(current);
    }
    check_kind_under(current.kind, parent.as_ref())?;
    check_validity_under(
        current.valid_from,
        current.valid_to,
        parent.as_ref(),
        "parentId",
    )?;
    if current.is_ttdn_lead {
        check_details(db, current.kind, parent.as_ref(), &Details::of(&current), Some(current.id))
            .await
            .map_err(|_| {
                AppError::conflict(
                    "parentId",
                    Msg::new(
                        "Cơ quan chủ trì TTĐN không thể chuyển tới đây (nơi đến đã có cơ quan chủ trì hoặc không phải UBND tỉnh); hãy bỏ đánh dấu trước",
                        "The TTĐN lead department cannot move there (the target already has a lead or is not a provincial committee); unmark it first",
                    ),
                )
            })?;
    }
    let new_path = child_path(parent.as_ref(), current.id);
    let new_depth = parent.as_ref().map_or(0, |p| p.depth + 1);
    let mut changes = ActiveModel {
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        ..Default::default()
    };
    changes.path = Set(new_path.clone());
    changes.depth = Set(new_depth);
    let moved = save(db, &current, changes).await?;
    rewrite_descendant_paths(db, &current.path, &new_path, new_depth - current.depth).await?;
    Ok(moved)
}

/// Re-roots every strict descendant of `old_prefix` at `new_prefix` in one statement.
async fn rewrite_descendant_paths<C: ConnectionTrait>(
    db: &C,
    old_prefix: &str,
    new_prefix: &str,
    depth_delta: i32,
) -> AppResult<()> {
    // Placeholders differ by backend (sea-query numbers them for PostgreSQL only).
    let (path_expr, depth_expr) = match db.get_database_backend() {
        DatabaseBackend::Postgres => (
            "CAST($1 AS TEXT) || SUBSTR(path, CAST($2 AS INTEGER))",
            "depth + CAST($1 AS INTEGER)",
        ),
        _ => (
            "CAST(? AS TEXT) || SUBSTR(path, CAST(? AS INTEGER))",
            "depth + CAST(? AS INTEGER)",
        ),
    };
    let keep_from = old_prefix.len() as i32 + 1;
    Agency::update_many()
        .col_expr(
            Column::Path,
            Expr::cust_with_values(
                path_expr,
                [sea_orm::Value::from(new_prefix), keep_from.into()],
            ),
        )
        .col_expr(
            Column::Depth,
            Expr::cust_with_values(depth_expr, [depth_delta]),
        )
        .filter(path_under(old_prefix))
        .filter(Column::Path.ne(old_prefix))
        .exec(db)
        .await?;
    Ok(())
}

/// How an agency closes.
#[derive(Clone, Debug)]
pub struct Closing {
    /// Last day of existence.
    pub valid_to: NaiveDate,
    /// The agency that takes over.
    pub successor: Option<AgencyId>,
    /// Move the children still active after `valid_to` under the successor.
    pub transfer_children: bool,
}

/// Closes an agency: it stays readable with its history, and may name a successor.
#[tracing::instrument(skip_all, fields(agency.id = %id))]
pub async fn close<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: AgencyId,
    closing: Closing,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let current = get(db, id).await?;
    policy::require_at(actor, Operation::AgencyWrite, Some(&current.path))?;
    check_version(&current, expected_version)?;
    if current.valid_to.is_some() {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new("Cơ quan đã ngừng hoạt động", "The agency is already closed"),
        });
    }
    if closing.valid_to < current.valid_from {
        return Err(AppError::bad_input(
            "validTo",
            Msg::new(
                "Ngày kết thúc trước ngày bắt đầu hiệu lực",
                "The last day is before the first day",
            ),
        ));
    }
    let day_after = closing.valid_to.succ_opt().unwrap_or(closing.valid_to);
    let successor = match closing.successor {
        Some(successor) => {
            let successor = Agency::find_by_id(successor.0)
                .one(db)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "successorId",
                        Msg::new("Không có cơ quan kế thừa này", "No such successor agency"),
                    )
                })?;
            if successor.path.starts_with(&current.path) || !active_on(&successor, day_after) {
                return Err(AppError::bad_input(
                    "successorId",
                    Msg::new(
                        "Cơ quan kế thừa phải là cơ quan khác, không trực thuộc cơ quan này, và còn hoạt động sau ngày kết thúc",
                        "The successor must be another agency, outside this one's subtree, active after the last day",
                    ),
                ));
            }
            Some(successor)
        }
        None => None,
    };
    let active_children = Agency::find()
        .filter(Column::ParentId.eq(current.id))
        .filter(
            Condition::any()
                .add(Column::ValidTo.is_null())
                .add(Column::ValidTo.gt(closing.valid_to)),
        )
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    if !active_children.is_empty() {
        match (&successor, closing.transfer_children) {
            (Some(successor), true) => {
                for child in active_children {
                    move_agency(db, actor, AgencyId(child.id), Some(AgencyId(successor.id)), None)
                        .await
                        .map_err(|err| match err {
                            AppError::Forbidden(_) | AppError::Internal(_) => err,
                            _ => AppError::conflict(
                                "transferChildren",
                                Msg::new(
                                    format!("Không thể chuyển cơ quan trực thuộc \"{}\" sang cơ quan kế thừa", child.name),
                                    format!("Child agency \"{}\" cannot move under the successor", child.name),
                                ),
                            ),
                        })?;
                }
            }
            _ => {
                return Err(AppError::conflict(
                    "validTo",
                    Msg::new(
                        format!(
                            "Còn {} cơ quan trực thuộc đang hoạt động; hãy chuyển hoặc đóng chúng trước, hoặc chọn chuyển sang cơ quan kế thừa",
                            active_children.len()
                        ),
                        format!(
                            "{} child agencies are still active; move or close them first, or transfer them to the successor",
                            active_children.len()
                        ),
                    ),
                ));
            }
        }
    }
    let changes = ActiveModel {
        valid_to: Set(Some(closing.valid_to)),
        successor_id: Set(successor.map(|s| s.id)),
        ..Default::default()
    };
    save(db, &current, changes).await
}
