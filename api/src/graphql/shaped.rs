//! Pages whose statement is written once per shape. A hot list's statement text depends only
//! on its shape (which columns, which joins, whether a cursor bounds it), not on who asks or
//! from where: a commune's `reportsDue` differs from another's by one bound agency id. Building
//! the select and writing its SQL cost about a sixth of such a request (docs/performance.md).
//!
//! [`Shapes`] builds a shape's statement once, from stand-in values (a random id, a far date),
//! and notes for each bound value which input it came from; each later request of that shape
//! gets the same text with its own values put in their places. Only values bound as
//! parameters can differ between requests of one shape: whatever the build writes into the text
//! (constants, the page's bound) must be part of the shape's key.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};

use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, Order, QueryTrait, Select, Statement, Value,
    sea_query::Values,
};
use uuid::Uuid;

use super::pagination::{Cursor, Page, PageRequest, SortKey};
use crate::{db::Joined, error::AppResult};

/// The values a shaped statement takes from each request, and stand-ins for them.
pub trait Slots: Sized {
    /// The values, in a fixed order.
    fn values(&self) -> Vec<Value>;
    /// Values of the same types that no request gives (random ids), to build a shape with.
    fn stand_in() -> Self;
}

impl Slots for Uuid {
    fn values(&self) -> Vec<Value> {
        vec![(*self).into()]
    }

    fn stand_in() -> Self {
        Uuid::new_v4()
    }
}

/// Where a bound value of a shape comes from.
#[derive(Debug)]
enum Slot {
    /// The request's input at this position.
    Input(usize),
    /// The same value for every request of the shape.
    Fixed(Value),
}

/// A shape's statement: its text and where each of its bound values comes from.
#[derive(Debug)]
struct Shape {
    sql: String,
    slots: Vec<Slot>,
}

/// The statements of one list, by shape. Its keys must be few (a shape is a combination of
/// the list's options), as nothing is ever forgotten.
pub struct Shapes<K>(Mutex<HashMap<K, Arc<Shape>>>);

impl<K> Default for Shapes<K> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq> Shapes<K> {
    /// The statement for `inputs`, written once for `key` by `build`, which returns it with
    /// the stand-ins it was built from (as many values as `inputs`, of the same types, each
    /// unlike any value the statement binds of itself). A request whose shape is kept makes
    /// no stand-ins.
    fn statement(
        &self,
        key: K,
        backend: DbBackend,
        inputs: Vec<Value>,
        build: impl FnOnce() -> AppResult<(Statement, Vec<Value>)>,
    ) -> AppResult<Statement> {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        let shape = match kept {
            Some(shape) => shape,
            None => {
                let (built, stand_ins) = build()?;
                let slots = built
                    .values
                    .map(|values| values.0)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|value| match stand_ins.iter().position(|s| *s == value) {
                        Some(input) => Slot::Input(input),
                        None => Slot::Fixed(value),
                    })
                    .collect();
                let shape = Arc::new(Shape {
                    sql: built.sql,
                    slots,
                });
                self.0
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(key, shape.clone());
                shape
            }
        };
        let values = shape
            .slots
            .iter()
            .map(|slot| match slot {
                Slot::Input(input) => inputs[*input].clone(),
                Slot::Fixed(value) => value.clone(),
            })
            .collect();
        Ok(Statement::from_sql_and_values(
            backend,
            shape.sql.clone(),
            Values(values),
        ))
    }
}

impl SortKey {
    /// A key of the same kind that no row has.
    fn stand_in(&self) -> SortKey {
        match self {
            SortKey::Text(_) => SortKey::Text(Uuid::new_v4().to_string()),
            SortKey::Time(_) => SortKey::Time(far_time()),
            SortKey::Changed(_) => SortKey::Changed(far_time()),
            SortKey::Date(_) => SortKey::Date(far_time().date_naive()),
            SortKey::None => SortKey::None,
        }
    }
}

/// 1 January 1000: a time no row has (a shape binds one cursor key, so one stand-in is enough).
fn far_time() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(-30_610_224_000, 0).unwrap_or_default()
}

impl PageRequest {
    /// Fetches one page as [`PageRequest::fetch_joined`] does, of the select `build` makes from
    /// `slots`, its statement written once per `shape` (and per whether a cursor bounds the
    /// page) by `shapes`. The page is not read keys first ([`PageRequest::keys_first`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn fetch_shaped<E, C, J, K, S>(
        &self,
        db: &C,
        (shapes, shape): (&Shapes<(K, bool)>, K),
        slots: S,
        build: impl FnOnce(S) -> Select<E>,
        (key, id): (E::Column, E::Column),
        order: Order,
        joined: &J,
        key_of: impl Fn(&J::Base) -> (SortKey, Uuid),
    ) -> AppResult<Page<J::Item>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
        J: Joined<E>,
        K: Hash + Eq,
        S: Slots,
    {
        use sea_orm::ColumnTrait as _;
        // The request's own cursor is checked here: the shape is built with a stand-in one.
        if let Some(after) = &self.after
            && !after.key.fits(key.def().get_column_type())
        {
            return Err(super::pagination::bad_cursor());
        }
        let backend = db.get_database_backend();
        let mut inputs = slots.values();
        if let Some(after) = &self.after {
            inputs.extend(cursor_values(after));
        }
        let statement = shapes.statement((shape, self.after.is_some()), backend, inputs, || {
            let stand_in = S::stand_in();
            let mut stand_ins = stand_in.values();
            let mut stand_in_page = self.clone();
            stand_in_page.after = self.after.as_ref().map(|after| Cursor {
                key: after.key.stand_in(),
                id: Uuid::new_v4(),
            });
            if let Some(after) = &stand_in_page.after {
                stand_ins.extend(cursor_values(after));
            }
            let select = stand_in_page.positioned(build(stand_in), (key, id), order, |_| true)?;
            let mut query = select.into_query();
            joined.join(&mut query);
            Ok((backend.build(&query), stand_ins))
        })?;
        let rows = crate::db::first_rows_of(db, statement, self.first + 1, joined).await?;
        Ok(self.page(rows, |item| {
            let (key, id) = key_of(J::base(item));
            Cursor { key, id }
        }))
    }
}

/// A cursor's key and id, the inputs a shaped page takes from it (in the same order for the
/// request's cursor and its stand-in).
fn cursor_values(after: &Cursor) -> [Value; 2] {
    [Value::from(after.key.clone()), after.id.into()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::report;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

    fn owed(agency: Uuid) -> Select<report::Entity> {
        report::Entity::find()
            .filter(report::Column::RecipientAgencyId.eq(agency))
            .filter(report::Column::Status.is_in([report::ReportStatus::Draft]))
    }

    fn built(agency: Uuid, after: Option<(chrono::NaiveDate, Uuid)>) -> Statement {
        let mut select = owed(agency)
            .order_by_asc(report::Column::DueDate)
            .order_by_asc(report::Column::Id);
        if let Some((due, id)) = after {
            select = select
                .filter(report::Column::DueDate.gte(due))
                .filter(report::Column::Id.gt(id));
        }
        select.build(DbBackend::Postgres)
    }

    #[test]
    fn a_shape_is_built_once_and_each_request_gets_its_own_values() {
        let shapes: Shapes<bool> = Shapes::default();
        let stand_in_agency = Uuid::new_v4();
        let stand_in_after = (far_time().date_naive(), Uuid::new_v4());
        let stand_ins = [
            Value::from(stand_in_agency),
            Value::from(stand_in_after.0),
            Value::from(stand_in_after.1),
        ];
        let mut builds = 0;
        for _ in 0..3 {
            let agency = Uuid::new_v4();
            let after = (
                chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("a date"),
                Uuid::new_v4(),
            );
            let statement = shapes
                .statement(
                    true,
                    DbBackend::Postgres,
                    vec![agency.into(), after.0.into(), after.1.into()],
                    || {
                        builds += 1;
                        Ok((
                            built(stand_in_agency, Some(stand_in_after)),
                            stand_ins.to_vec(),
                        ))
                    },
                )
                .expect("statement");
            // The same text and values as the request's own select would give.
            assert_eq!(statement, built(agency, Some(after)));
        }
        assert_eq!(builds, 1, "built once for its shape");
    }
}
