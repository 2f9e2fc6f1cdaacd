//! The hottest lists read their rows by position (`entity::in_order`), not by column name:
//! each model read so must be the one sea-orm reads by name.

use entity::in_order::ReadInOrder;

use crate::helpers::spawn_app_with_demo;

/// Every row of `E` read as `L` by its columns' names (sea-orm's `into_partial_model`) and
/// by their positions (`entity::in_order::all`): the same models, in the same order.
async fn read_both_ways<E, L>(db: &sea_orm::DatabaseConnection) -> usize
where
    E: sea_orm::EntityTrait,
    L: sea_orm::PartialModelTrait + ReadInOrder + PartialEq + std::fmt::Debug,
{
    use sea_orm::QueryOrder;
    // Every table here has an `id` column; the order makes the two reads comparable.
    let select = || E::find().order_by_asc(sea_orm::sea_query::Expr::cust("id"));
    let by_name = select()
        .into_partial_model::<L>()
        .all(db)
        .await
        .expect("by name");
    let by_position: Vec<L> = entity::in_order::all(db, select())
        .await
        .expect("by position");
    assert_eq!(by_position, by_name);
    by_name.len()
}

/// The models lists read by position (the report, its obligation and its issuer of "what do
/// I owe", the spokespersons' cards of an agency page) are the ones sea-orm reads by name,
/// for every row of the demo.
#[actix_web::test]
async fn a_listed_row_read_by_position_is_the_row_read_by_name() {
    use entity::{agency, report, reporting_obligation, spokesperson};
    let app = spawn_app_with_demo().await;
    assert!(read_both_ways::<report::Entity, report::Listed>(&app.db).await > 0);
    assert!(
        read_both_ways::<reporting_obligation::Entity, reporting_obligation::Listed>(&app.db).await
            > 0
    );
    assert!(read_both_ways::<agency::Entity, agency::Listed>(&app.db).await > 0);
    assert!(read_both_ways::<spokesperson::Entity, spokesperson::Card>(&app.db).await > 0);
}
