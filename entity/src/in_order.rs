//! Rows read column by column in the order their select lists them, for the hottest lists.
//!
//! sea-orm's `FromQueryResult` finds each column by its name, and a nested model's by its
//! prefixed name (written out with `format!` for every column of every row): reading a
//! `reportsDue` page of 20 reports with their obligation and issuer (16 columns each) that
//! way cost about 76,000 instructions, a seventh of the request, and an agency page's
//! spokespersons' cards 419,000 (docs/performance.md). A model declared through [`listed!`]
//! also reads itself by position, its columns in the order of its fields, which is the order
//! its `select_cols` writes them in.

use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, PartialModelTrait, QueryResult, QuerySelect, QueryTrait,
    Select, TryGetable,
};

/// A row's columns, read one after another from a position.
pub struct InOrder<'r> {
    row: &'r QueryResult,
    at: usize,
}

impl<'r> InOrder<'r> {
    /// The columns of `row` from the first.
    pub fn new(row: &'r QueryResult) -> Self {
        Self { row, at: 0 }
    }

    /// The next column's value.
    pub fn next_value<T: TryGetable>(&mut self) -> Result<T, DbErr> {
        let value = self.row.try_get_by_index(self.at);
        self.at += 1;
        value
    }
}

/// A model read from consecutive columns, in the order of its fields.
pub trait ReadInOrder: Sized {
    /// The model from the next columns of `columns`.
    fn read_in_order(columns: &mut InOrder<'_>) -> Result<Self, DbErr>;
}

/// Every row of `select` read as `P`, by position: `select` narrowed to `P`'s columns, as
/// sea-orm's `into_partial_model::<P>().all(db)` reads them by name.
pub async fn all<E, P, C>(db: &C, select: Select<E>) -> Result<Vec<P>, DbErr>
where
    E: EntityTrait,
    P: PartialModelTrait + ReadInOrder,
    C: ConnectionTrait,
{
    let statement = P::select_cols(select.select_only()).build(db.get_database_backend());
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| P::read_in_order(&mut InOrder::new(row)))
        .collect()
}

/// Declares a partial model (`DerivePartialModel`) that also reads itself by position
/// ([`ReadInOrder`]): one list of fields gives both its selected columns and the order it
/// reads them in, so the two cannot disagree.
#[macro_export]
macro_rules! listed {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl $crate::in_order::ReadInOrder for $name {
            fn read_in_order(
                columns: &mut $crate::in_order::InOrder<'_>,
            ) -> Result<Self, sea_orm::DbErr> {
                // A struct expression's fields are evaluated in the order written: the fields'.
                Ok(Self { $($field: columns.next_value()?,)* })
            }
        }
    };
}
