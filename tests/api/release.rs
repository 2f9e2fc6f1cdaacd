//! Information releases: lifecycle, audiences, embargo, corrections, state secrets, the feed.

use serde_json::{Value, json};
use ttdn_api::demo::demo_id;

use crate::helpers::{TestApp, code, demo_agency, field, spawn_app_with_demo};

const CREATE: &str = "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id status version } } }";
const PUBLISH: &str = "mutation($id: ID!) { publishRelease(input: { id: $id }) { informationRelease { status publishedAt spokesperson { fullName } } } }";
const READ: &str = "query($id: ID!) { informationRelease(id: $id) { id title status withdrawalReason corrects { id } } }";
const FEED: &str = "query($f: ReleaseFilterInput) { informationReleases(first: 100, filter: $f) { totalCount edges { node { title kind status } } } }";

fn content(extra: Value) -> Value {
    let mut content = json!({
        "kind": "PRESS_RELEASE", "title": "Thông cáo về Lễ hội Đền Bà Triệu",
        "summary": "Lễ hội truyền thống", "body": "Lễ hội Đền Bà Triệu diễn ra tại huyện Hậu Lộc.",
        "topics": ["Lễ hội", "Văn hóa"], "audience": "PUBLIC",
        "spokespersonId": demo_id("spokesperson.head.th.svhttdl").to_string()
    });
    if let (Some(content), Some(extra)) = (content.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            content.insert(key.clone(), value.clone());
        }
    }
    content
}

async fn draft(app: &TestApp, token: &str, extra: Value) -> Value {
    app.gql_as(
        Some(token),
        CREATE,
        json!({ "input": { "issuingAgencyId": demo_agency("th.svhttdl"), "content": content(extra) } }),
    )
    .await
}

fn id_of(response: &Value) -> String {
    response["data"]["createRelease"]["informationRelease"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no release: {response:#}"))
        .to_owned()
}

fn titles(response: &Value) -> Vec<String> {
    response["data"]["informationReleases"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no feed: {response:#}"))
        .iter()
        .map(|e| e["node"]["title"].as_str().expect("title").to_owned())
        .collect()
}

#[actix_web::test]
async fn a_draft_reaches_the_press_feed_only_once_published() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let id = id_of(&draft(&app, &department, json!({})).await);

    let hidden = app.gql_as(Some(&press), READ, json!({ "id": id })).await;
    assert_eq!(
        code(&hidden["errors"][0]),
        "NOT_FOUND",
        "a draft reached the press"
    );
    let search = json!({ "search": "DEN BA TRIEU" });
    assert!(titles(&app.gql_as(Some(&press), FEED, json!({ "f": search })).await).is_empty());

    let published = app
        .gql_as(Some(&department), PUBLISH, json!({ "id": id }))
        .await;
    let release = &published["data"]["publishRelease"]["informationRelease"];
    assert_eq!(release["status"], "PUBLISHED", "{published:#}");
    assert!(release["spokesperson"]["fullName"].is_string());

    let feed = app.gql_as(Some(&press), FEED, json!({ "f": search })).await;
    assert_eq!(titles(&feed), vec!["Thông cáo về Lễ hội Đền Bà Triệu"]);
    let by_topic = app
        .gql_as(Some(&press), FEED, json!({ "f": { "topic": "le hoi" } }))
        .await;
    assert!(titles(&by_topic).contains(&"Thông cáo về Lễ hội Đền Bà Triệu".to_owned()));
    let partial_topic = app
        .gql_as(Some(&press), FEED, json!({ "f": { "topic": "le" } }))
        .await;
    assert!(
        titles(&partial_topic).is_empty(),
        "a topic filter matches whole topics"
    );
    let since = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let recent = app
        .gql_as(
            Some(&press),
            FEED,
            json!({ "f": { "updatedSince": since } }),
        )
        .await;
    assert_eq!(titles(&recent), vec!["Thông cáo về Lễ hội Đền Bà Triệu"]);
}

#[actix_web::test]
async fn publishing_needs_a_serving_spokesperson() {
    let app = spawn_app_with_demo().await;
    let nobody = id_of(&draft(&app, &app.admin_token, json!({ "spokespersonId": null })).await);
    let refused = app.error(PUBLISH, json!({ "id": nobody })).await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    assert_eq!(field(&refused), "input.spokespersonId");
    assert_eq!(
        app.data(READ, json!({ "id": nobody })).await["informationRelease"]["status"],
        "DRAFT"
    );

    let former = demo_id("spokesperson.appointed.th.svhttdl").to_string();
    app.data(
        "mutation($id: ID!) { endSpokespersonTerm(input: { id: $id, termTo: \"2026-01-31\" }) { spokesperson { id } } }",
        json!({ "id": former }),
    )
    .await;
    let stale = id_of(&draft(&app, &app.admin_token, json!({ "spokespersonId": former })).await);
    assert_eq!(
        field(&app.error(PUBLISH, json!({ "id": stale })).await),
        "input.spokespersonId"
    );
}

#[actix_web::test]
async fn published_content_is_never_edited_and_is_corrected_by_a_new_release() {
    let app = spawn_app_with_demo().await;
    let original = demo_id("release.th.2025.3.0").to_string();
    let edit = app
        .error(
            "mutation($id: ID!, $c: ReleaseContentInput!) { updateRelease(input: { id: $id, content: $c }) { informationRelease { id } } }",
            json!({ "id": original, "c": content(json!({})) }),
        )
        .await;
    assert_eq!(code(&edit), "CONFLICT");

    let correction = draft(&app, &app.admin_token, json!({ "kind": "CORRECTION", "title": "Đính chính số liệu tháng 3/2025", "correctsId": original })).await;
    let correction = id_of(&correction);
    app.data(PUBLISH, json!({ "id": correction })).await;
    let read = app.data(READ, json!({ "id": correction })).await;
    assert_eq!(
        read["informationRelease"]["corrects"]["id"],
        original.as_str()
    );

    let of_a_draft = draft(
        &app,
        &app.admin_token,
        json!({ "kind": "CORRECTION", "correctsId": demo_id("release.th.draft").to_string() }),
    )
    .await;
    assert_eq!(field(&of_a_draft["errors"][0]), "input.content.correctsId");
    let not_a_correction = draft(&app, &app.admin_token, json!({ "correctsId": original })).await;
    assert_eq!(
        field(&not_a_correction["errors"][0]),
        "input.content.correctsId"
    );
}

#[actix_web::test]
async fn state_secrets_are_refused_and_nothing_is_stored() {
    let app = spawn_app_with_demo().await;
    let count = |response: Value| response["informationReleases"]["totalCount"].clone();
    let before = count(
        app.data("{ informationReleases { totalCount } }", json!({}))
            .await,
    );
    let secret = draft(&app, &app.admin_token, json!({ "securityMarking": "MAT" })).await;
    assert_eq!(code(&secret["errors"][0]), "BAD_USER_INPUT");
    assert_eq!(field(&secret["errors"][0]), "input.content.securityMarking");
    let attachment = json!({ "attachments": [{
        "name": "bao-cao.pdf", "mediaType": "application/pdf", "sizeBytes": 1024,
        "checksum": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "url": "https://stttt.thanhhoa.gov.vn/files/bao-cao.pdf", "securityMarking": "TUYET_MAT"
    }] });
    let secret_file = draft(&app, &app.admin_token, attachment).await;
    assert_eq!(
        field(&secret_file["errors"][0]),
        "input.content.attachments.securityMarking"
    );
    assert_eq!(
        count(
            app.data("{ informationReleases { totalCount } }", json!({}))
                .await
        ),
        before
    );
}

#[actix_web::test]
async fn the_press_sees_only_what_is_addressed_to_it_after_the_embargo() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    for (key, visible) in [
        ("release.th.targeted", true),
        ("release.cb.public", true),
        ("release.th.internal", false),
        ("release.th.draft", false),
        ("release.cb.targeted", false),
    ] {
        let response = app
            .gql_as(
                Some(&press),
                READ,
                json!({ "id": demo_id(key).to_string() }),
            )
            .await;
        assert_eq!(response["errors"].is_null(), visible, "{key}: {response:#}");
        if !visible {
            assert_eq!(code(&response["errors"][0]), "NOT_FOUND", "{key}");
        }
    }
    let feed = app.gql_as(Some(&press), FEED, json!({})).await;
    assert_eq!(
        feed["data"]["informationReleases"]["totalCount"], 26,
        "24 bulletins, its targeted release, Cao Bằng's public one"
    );

    // Embargoed until tomorrow: published, but not yet for the press.
    let department = app.demo_token("so.thanhhoa").await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let embargoed = id_of(&draft(&app, &department, json!({ "embargoUntil": tomorrow })).await);
    app.gql_as(Some(&department), PUBLISH, json!({ "id": embargoed }))
        .await;
    let early = app
        .gql_as(Some(&press), READ, json!({ "id": embargoed }))
        .await;
    assert_eq!(code(&early["errors"][0]), "NOT_FOUND");
    assert!(
        app.gql_as(Some(&department), READ, json!({ "id": embargoed }))
            .await["errors"]
            .is_null()
    );

    let past = draft(
        &app,
        &department,
        json!({ "embargoUntil": "2020-01-01T00:00:00Z" }),
    )
    .await;
    assert_eq!(field(&past["errors"][0]), "input.content.embargoUntil");
}

#[actix_web::test]
async fn a_targeted_release_needs_press_recipients_and_withdrawal_keeps_the_record() {
    let app = spawn_app_with_demo().await;
    let no_recipients =
        id_of(&draft(&app, &app.admin_token, json!({ "audience": "TARGETED" })).await);
    assert_eq!(
        field(&app.error(PUBLISH, json!({ "id": no_recipients })).await),
        "input.recipientIds"
    );
    let not_press = draft(
        &app,
        &app.admin_token,
        json!({ "audience": "TARGETED", "recipientIds": [demo_agency("th.trieuson")] }),
    )
    .await;
    assert_eq!(field(&not_press["errors"][0]), "input.content.recipientIds");

    let published = demo_id("release.th.targeted").to_string();
    let withdraw = "mutation($id: ID!) { withdrawRelease(input: { id: $id, reason: \"Thông tin chưa chính xác\" }) { informationRelease { status withdrawalReason } } }";
    let withdrawn = app.data(withdraw, json!({ "id": published })).await;
    assert_eq!(
        withdrawn["withdrawRelease"]["informationRelease"]["status"],
        "WITHDRAWN"
    );
    let press = app.demo_token("bao.thanhhoa").await;
    let seen = app
        .gql_as(Some(&press), READ, json!({ "id": published }))
        .await;
    assert_eq!(
        seen["data"]["informationRelease"]["withdrawalReason"],
        "Thông tin chưa chính xác"
    );
    assert_eq!(
        code(&app.error(withdraw, json!({ "id": published })).await),
        "CONFLICT"
    );
}

#[actix_web::test]
async fn the_press_feed_of_the_demo_province() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let feed = app
        .gql_as(
            Some(&press),
            "{ informationReleases(first: 100) { totalCount edges { node { title kind status audience topics issuingAgency { name } spokesperson { title } } } } }",
            json!({}),
        )
        .await;
    assert!(feed["errors"].is_null(), "{feed:#}");
    insta::assert_json_snapshot!("press_feed_bao_thanh_hoa", feed["data"]);
}

/// The release-visibility matrix of docs/permissions.md, cell by cell: drafts for the issuer
/// and the agencies above it; INTERNAL for government agencies of the issuer's province;
/// PUBLIC for everyone once out of draft; service clients their scope, never drafts.
#[actix_web::test]
async fn release_visibility_follows_the_matrix_cell_by_cell() {
    let app = spawn_app_with_demo().await;
    let trieuson = app.demo_token("huyen.trieuson").await;
    let by_trieuson = |extra: Value| {
        let mut input = content(extra);
        input["spokespersonId"] = json!(demo_id("spokesperson.head.th.trieuson").to_string());
        json!({ "input": { "issuingAgencyId": demo_agency("th.trieuson"), "content": input } })
    };
    let district_draft = id_of(
        &app.gql_as(Some(&trieuson), CREATE, by_trieuson(json!({})))
            .await,
    );
    let district_internal = id_of(
        &app.gql_as(
            Some(&trieuson),
            CREATE,
            by_trieuson(json!({ "audience": "INTERNAL", "title": "Hướng dẫn nội bộ" })),
        )
        .await,
    );
    let published = app
        .gql_as(Some(&trieuson), PUBLISH, json!({ "id": district_internal }))
        .await;
    assert_eq!(
        published["data"]["publishRelease"]["informationRelease"]["status"], "PUBLISHED",
        "{published:#}"
    );
    let embargoed = id_of(
        &app.gql_as(
            Some(&trieuson),
            CREATE,
            by_trieuson(json!({
                "title": "Kết quả bầu cử (công bố sau)",
                "embargoUntil": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()
            })),
        )
        .await,
    );
    let published = app
        .gql_as(Some(&trieuson), PUBLISH, json!({ "id": embargoed }))
        .await;
    assert!(published.get("errors").is_none(), "{published:#}");
    let province_draft = demo_id("release.th.draft").to_string();
    let other_public = demo_id("release.cb.public").to_string();

    let readers = [
        "admin",
        "so.thanhhoa",
        "huyen.trieuson",
        "huyen.thoxuan",
        "xa.danluc",
        "so.caobang",
        "phuong.thucphan",
        "bao.thanhhoa",
        "client",
    ];
    // One row per release, one column per reader above.
    let matrix: [(&str, &String, [bool; 9]); 5] = [
        (
            "a district's draft",
            &district_draft,
            [true, true, true, false, false, false, false, false, false],
        ),
        (
            "a district's published INTERNAL release",
            &district_internal,
            [true, true, true, true, true, false, false, false, true],
        ),
        (
            "a district's PUBLIC release under embargo",
            &embargoed,
            [true, true, true, true, true, true, true, false, false],
        ),
        (
            "the department's draft",
            &province_draft,
            [true, true, false, false, false, false, false, false, false],
        ),
        (
            "another province's PUBLIC release",
            &other_public,
            [true, true, true, true, true, true, true, true, false],
        ),
    ];
    let mut tokens = Vec::new();
    for reader in readers {
        tokens.push(match reader {
            "admin" => app.admin_token.clone(),
            "client" => app.client_token().await,
            username => app.demo_token(username).await,
        });
    }
    for (what, id, row) in &matrix {
        for ((reader, token), visible) in readers.iter().zip(&tokens).zip(row) {
            let one = app.gql_as(Some(token), READ, json!({ "id": id })).await;
            let listed = app
                .gql_as(
                    Some(token),
                    "{ informationReleases(first: 100) { edges { node { id } } } }",
                    json!({}),
                )
                .await;
            let in_list = listed["data"]["informationReleases"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{reader}: {listed:#}"))
                .iter()
                .any(|e| e["node"]["id"] == id.as_str());
            if *visible {
                assert_eq!(
                    one["data"]["informationRelease"]["id"],
                    id.as_str(),
                    "{reader} must read {what}: {one:#}"
                );
            } else {
                assert_eq!(
                    code(&one["errors"][0]),
                    "NOT_FOUND",
                    "{reader} must not read {what}: {one:#}"
                );
            }
            assert_eq!(in_list, *visible, "{reader} lists {what}");
        }
    }
}
