//! The root types, each field resolved straight in the one area that declares it.
//!
//! `#[derive(MergedObject)]` over the areas gives the schema its root types, but it resolves a
//! root field by asking each area in turn, every ask nested in the previous one's future: the
//! root field's future took 160 bytes for each of the nineteen areas over the largest field
//! future of any area (8 KB for a query, 10 KB for a mutation; `rustc -Zprint-type-sizes`),
//! allocated for every root field and copied down the chain as each level started the next.
//! [`root!`] keeps the merged type for the schema (fields, their order, descriptions) and
//! declares beside it the root the schema runs: it finds the field's area by the field's name,
//! once per process, and resolves the field in a future of that area's size alone, boxed.

use std::{collections::HashMap, future::Future, pin::Pin};

use async_graphql::{
    ContainerType, Context, ServerResult, Value,
    registry::{MetaType, Registry},
};

/// A root field's resolution, boxed at its area's size.
type Resolution<'a> = Pin<Box<dyn Future<Output = ServerResult<Option<Value>>> + Send + 'a>>;

/// Resolves a root field in one area.
type Resolve = for<'a, 'b> fn(&'a Context<'b>) -> Resolution<'a>;

/// Which area resolves each root field, by the field's name.
#[derive(Default)]
pub struct Areas(HashMap<String, Resolve>);

impl Areas {
    /// Adds the fields `A` declares.
    ///
    /// # Panics
    /// When another area already declared one of them: the merged type would keep only one.
    pub fn with<A>(mut self) -> Self
    where
        A: ContainerType + Default + Send + Sync + 'static,
    {
        let mut registry = Registry::default();
        if let MetaType::Object { fields, .. } = registry.create_fake_output_type::<A>() {
            for name in fields.into_keys() {
                let resolve: Resolve = resolve_in::<A>;
                assert!(
                    self.0.insert(name.clone(), resolve).is_none(),
                    "the root field {name} is declared by two areas"
                );
            }
        }
        self
    }

    /// Resolves the context's field in the area that declares it; `None` when none does.
    pub async fn resolve(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        match self.0.get(ctx.item.node.name.node.as_str()) {
            Some(resolve) => resolve(ctx).await,
            None => Ok(None),
        }
    }

    /// The root fields, sorted.
    pub fn fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = self.0.keys().map(String::as_str).collect();
        fields.sort_unstable();
        fields
    }
}

fn resolve_in<'a, A>(ctx: &'a Context<'_>) -> Resolution<'a>
where
    A: ContainerType + Default + Send + Sync + 'static,
{
    Box::pin(async move { A::default().resolve_field(ctx).await })
}

/// Declares a root type `$root`, named `$name` in the schema, over the areas' unit structs,
/// with the merged type `$merged` that gives it its fields. `$root::areas()` is the map it
/// resolves by.
#[macro_export]
macro_rules! root {
    ($(#[$doc:meta])* $root:ident as $name:literal, merged $merged:ident, [$($area:ty),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(async_graphql::MergedObject, Default)]
        #[graphql(name = $name)]
        pub struct $merged($($area),+);

        $(#[$doc])*
        #[derive(Default)]
        pub struct $root;

        impl $root {
            /// Which area resolves each of this root's fields.
            pub fn areas() -> &'static $crate::graphql::root::Areas {
                static AREAS: std::sync::LazyLock<$crate::graphql::root::Areas> =
                    std::sync::LazyLock::new(|| {
                        $crate::graphql::root::Areas::default()$(.with::<$area>())+
                    });
                &AREAS
            }
        }

        impl async_graphql::OutputType for $root {
            fn type_name() -> std::borrow::Cow<'static, str> {
                <$merged as async_graphql::OutputType>::type_name()
            }

            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <$merged as async_graphql::OutputType>::create_type_info(registry)
            }

            async fn resolve(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
                _field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
            ) -> async_graphql::ServerResult<async_graphql::Value> {
                async_graphql::resolver_utils::resolve_container(ctx, self).await
            }
        }

        impl async_graphql::ContainerType for $root {
            async fn resolve_field(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
                Self::areas().resolve(ctx).await
            }
        }

        impl async_graphql::ObjectType for $root {}
    };
}
