//! A row as a GraphQL object holds it: read whole, or only the columns a list shows (a partial
//! model of the same table) where the query asks for nothing else. A field the narrow read
//! lacks reads the whole row once, on first need, so that a field's answer never depends on
//! which read was made and no model is ever filled with defaults (docs/architecture.md,
//! "Reading only the columns a list shows").

use std::future::Future;

use async_graphql::{Context, SelectionField};
use tokio::sync::OnceCell;

use crate::error::{AppError, AppResult};

/// A row read whole (`W`), or narrow (`N`) with the whole row read once a field needs it.
pub enum Read<W, N> {
    /// The whole row.
    Whole(W),
    /// The narrow columns, and the whole row once read.
    Narrow(N, OnceCell<W>),
}

impl<W, N> Read<W, N> {
    /// A narrow read.
    pub fn narrow(narrow: N) -> Self {
        Self::Narrow(narrow, OnceCell::new())
    }

    /// The whole row: as read, or, for a narrow read, read once by `load` (by id, through the
    /// request's loader); `missing` when `load` finds none.
    pub async fn whole<F>(
        &self,
        load: impl FnOnce(&N) -> F,
        missing: fn() -> AppError,
    ) -> AppResult<&W>
    where
        F: Future<Output = AppResult<Option<W>>>,
    {
        match self {
            Self::Whole(whole) => Ok(whole),
            Self::Narrow(narrow, cell) => {
                cell.get_or_try_init(|| async { load(narrow).await?.ok_or_else(missing) })
                    .await
            }
        }
    }
}

/// Whether `field`'s selection (fragments included) asks for the `allowed` fields alone: what
/// decides a narrow read.
pub fn selects_only(field: SelectionField<'_>, allowed: &[&str]) -> bool {
    field
        .selection_set()
        .all(|selected| allowed.contains(&selected.name()))
}

/// Whether every item of the connection the field of `ctx` resolves (`edges { node }` and
/// `nodes`, fragments included) passes `item`: what decides a list's narrow read.
pub fn every_item(ctx: &Context<'_>, item: impl Fn(SelectionField<'_>) -> bool) -> bool {
    let connection = ctx.look_ahead();
    [
        connection.field("edges").field("node"),
        connection.field("nodes"),
    ]
    .iter()
    .flat_map(|items| items.selection_fields())
    .all(item)
}

/// A column both reads of a [`Read`] hold, by reference: `either_column!(&self.0, name)`.
#[macro_export]
macro_rules! either_column {
    ($read:expr, $field:ident) => {
        match $read {
            $crate::graphql::read::Read::Whole(whole) => &whole.$field,
            $crate::graphql::read::Read::Narrow(narrow, _) => &narrow.$field,
        }
    };
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Read;
    use crate::error::{AppError, AppResult, Msg};

    fn missing() -> AppError {
        AppError::NotFound(Msg::new("không có", "none"))
    }

    #[tokio::test]
    async fn a_narrow_read_reads_the_whole_row_once_on_need_and_a_whole_read_never() -> AppResult<()>
    {
        let loads = AtomicUsize::new(0);
        let load = |narrow: &u32| {
            loads.fetch_add(1, Ordering::SeqCst);
            let id = *narrow;
            async move { Ok(Some(format!("row {id}"))) }
        };
        let narrow: Read<String, u32> = Read::narrow(7);
        assert_eq!(
            loads.load(Ordering::SeqCst),
            0,
            "nothing read before a field needs it"
        );
        assert_eq!(narrow.whole(load, missing).await?, "row 7");
        assert_eq!(narrow.whole(load, missing).await?, "row 7");
        assert_eq!(loads.load(Ordering::SeqCst), 1, "read once");
        let whole: Read<String, u32> = Read::Whole("as read".to_owned());
        assert_eq!(whole.whole(load, missing).await?, "as read");
        assert_eq!(
            loads.load(Ordering::SeqCst),
            1,
            "a whole read reads nothing"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_narrow_read_whose_row_is_gone_is_the_missing_error() {
        let gone: Read<String, u32> = Read::narrow(7);
        let answer = gone.whole(|_| async { Ok(None) }, missing).await;
        assert!(matches!(answer, Err(AppError::NotFound(_))), "{answer:?}");
    }
}
