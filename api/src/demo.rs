//! Demo data: a realistic picture of two provinces, modelled on the documents in
//! `shared/seeds/`, for trying the API from GraphiQL.
//!
//! - Thanh Hóa in the three-tier shape (province → districts → communes), as in the 2020–2021
//!   plans and reports of the seeds, with the Sở TTTT that led TTĐN until it closed on
//!   28/02/2025 into the Sở KH&CN, and the Sở VHTTDL leading TTĐN since.
//! - Cao Bằng in the two-tier shape of 1 July 2025: communes and wards directly under the
//!   province, the former city district and its wards closed with successors.
//! - Provincial and central press agencies.
//!
//! - One account per role, all with the password [`DEMO_PASSWORD`], and one service client with
//!   the secret [`DEMO_CLIENT_SECRET`]. These credentials are public: never load the demo data
//!   into a production database.
//!
//! Every record has a fixed id derived from a stable key, so seeding twice changes nothing.

use chrono::NaiveDate;
use entity::{
    agency::AgencyKind,
    ids::{AgencyId, ServiceClientId, UserId},
    user_account::Role,
};
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use crate::{
    account::{
        service::{self as accounts, NewUser},
        types::Username,
    },
    agency::{
        service::{self as agency_service, Details, NewAgency},
        types::{ElectronicId, PressMedium, ShortName},
    },
    auth::{actor::ClientScope, password::NewPassword},
    client::service::{self as clients, NewClient},
    error::{AppError, AppResult},
};

/// Password of every demo account (public: demo only).
pub const DEMO_PASSWORD: &str = "ttdn-demo-2026";

/// Secret of the demo service client (public: demo only).
pub const DEMO_CLIENT_SECRET: &str = "ttdn-demo-client-secret-2026";

/// Demo accounts: (key, username, display name, role, agency key).
pub const DEMO_ACCOUNTS: &[(&str, &str, &str, Role, Option<&str>)] = &[
    (
        "user.admin",
        "admin",
        "Quản trị hệ thống",
        Role::Admin,
        None,
    ),
    (
        "user.so.thanhhoa",
        "so.thanhhoa",
        "Phòng Báo chí – Xuất bản, Sở VHTTDL Thanh Hóa",
        Role::ProvincialDepartment,
        Some("th.svhttdl"),
    ),
    (
        "user.huyen.trieuson",
        "huyen.trieuson",
        "Phòng VH-TT huyện Triệu Sơn",
        Role::District,
        Some("th.trieuson"),
    ),
    (
        "user.huyen.thoxuan",
        "huyen.thoxuan",
        "Phòng VH-TT huyện Thọ Xuân",
        Role::District,
        Some("th.thoxuan"),
    ),
    (
        "user.xa.danluc",
        "xa.danluc",
        "Văn phòng UBND xã Dân Lực",
        Role::Commune,
        Some("th.trieuson.danluc"),
    ),
    (
        "user.xa.xuanlam",
        "xa.xuanlam",
        "Văn phòng UBND xã Xuân Lam",
        Role::Commune,
        Some("th.thoxuan.xuanlam"),
    ),
    (
        "user.bao.thanhhoa",
        "bao.thanhhoa",
        "Ban Thời sự, Báo Thanh Hóa",
        Role::Press,
        Some("th.baoth"),
    ),
    (
        "user.so.caobang",
        "so.caobang",
        "Sở VHTTDL Cao Bằng",
        Role::ProvincialDepartment,
        Some("cb.svhttdl"),
    ),
    (
        "user.phuong.thucphan",
        "phuong.thucphan",
        "Văn phòng UBND phường Thục Phán",
        Role::Commune,
        Some("cb.thucphan"),
    ),
];

/// Key of the demo service client.
pub const DEMO_CLIENT: &str = "client.thanhhoa.qlvb";

/// Namespace of demo ids (UUID v5 of the record's key).
const NAMESPACE: Uuid = Uuid::from_u128(0x7e5d_1c9a_4b2f_4d0e_9a61_3f08_2c7b_d415);

/// The fixed id of the demo record with `key`.
pub fn demo_id(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

/// One demo agency.
struct Row {
    key: &'static str,
    parent: Option<&'static str>,
    kind: AgencyKind,
    name: &'static str,
    short: &'static str,
    code: Option<&'static str>,
    eid: Option<&'static str>,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    web: Option<&'static str>,
    media: &'static [PressMedium],
    lead: bool,
    from: (i32, u32, u32),
    to: Option<(i32, u32, u32)>,
    successor: Option<&'static str>,
}

const BASE: Row = Row {
    key: "",
    parent: None,
    kind: AgencyKind::Other,
    name: "",
    short: "",
    code: None,
    eid: None,
    phone: None,
    email: None,
    web: None,
    media: &[],
    lead: false,
    from: (1997, 1, 1),
    to: None,
    successor: None,
};

use AgencyKind::{Commune, Department, District, PressAgency, ProvincialCommittee};
use PressMedium::{Online, Print, Radio, Television};

/// Parents come before children and successors before the agencies that name them.
const ROWS: &[Row] = &[
    // ── Thanh Hóa (three-tier, as in the seeds) ──
    Row {
        key: "th",
        kind: ProvincialCommittee,
        name: "UBND tỉnh Thanh Hóa",
        short: "UBND",
        code: Some("38"),
        eid: Some("000.00.00.H56"),
        phone: Some("0237 3852 326"),
        email: Some("ubnd@thanhhoa.gov.vn"),
        web: Some("https://thanhhoa.gov.vn"),
        from: (1976, 1, 1),
        ..BASE
    },
    Row {
        key: "th.skhcn",
        parent: Some("th"),
        kind: Department,
        name: "Sở Khoa học và Công nghệ tỉnh Thanh Hóa",
        short: "SKHCN",
        eid: Some("000.00.16.H56"),
        phone: Some("0237 3852 511"),
        email: Some("skhcn@thanhhoa.gov.vn"),
        web: Some("https://skhcn.thanhhoa.gov.vn"),
        ..BASE
    },
    Row {
        key: "th.stttt",
        parent: Some("th"),
        kind: Department,
        name: "Sở Thông tin và Truyền thông tỉnh Thanh Hóa",
        short: "STTTT",
        eid: Some("000.00.31.H56"),
        phone: Some("0237 3758 168"),
        email: Some("stttt@thanhhoa.gov.vn"),
        web: Some("https://stttt.thanhhoa.gov.vn"),
        from: (2008, 4, 1),
        to: Some((2025, 2, 28)),
        successor: Some("th.skhcn"),
        ..BASE
    },
    Row {
        key: "th.svhttdl",
        parent: Some("th"),
        kind: Department,
        name: "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
        short: "SVHTTDL",
        eid: Some("000.00.20.H56"),
        phone: Some("0237 3852 175"),
        email: Some("svhttdl@thanhhoa.gov.vn"),
        web: Some("https://svhttdl.thanhhoa.gov.vn"),
        lead: true,
        from: (2008, 4, 1),
        ..BASE
    },
    Row {
        key: "th.sngv",
        parent: Some("th"),
        kind: Department,
        name: "Sở Ngoại vụ tỉnh Thanh Hóa",
        short: "SNgV",
        eid: Some("000.00.22.H56"),
        phone: Some("0237 3713 399"),
        email: Some("sngv@thanhhoa.gov.vn"),
        ..BASE
    },
    Row {
        key: "th.baoth",
        parent: Some("th"),
        kind: PressAgency,
        name: "Báo Thanh Hóa",
        short: "BTH",
        phone: Some("0237 3852 389"),
        email: Some("toasoan@baothanhhoa.vn"),
        web: Some("https://baothanhhoa.vn"),
        media: &[Print, Online],
        ..BASE
    },
    Row {
        key: "th.ptth",
        parent: Some("th"),
        kind: PressAgency,
        name: "Đài Phát thanh và Truyền hình Thanh Hóa",
        short: "PTTH",
        phone: Some("0237 3852 484"),
        email: Some("ttv@thanhhoa.gov.vn"),
        web: Some("https://ttv.org.vn"),
        media: &[Radio, Television, Online],
        ..BASE
    },
    Row {
        key: "th.trieuson",
        parent: Some("th"),
        kind: District,
        name: "UBND huyện Triệu Sơn",
        short: "UBND",
        code: Some("399"),
        eid: Some("000.26.00.H56"),
        phone: Some("0237 3867 136"),
        email: Some("trieuson@thanhhoa.gov.vn"),
        web: Some("https://trieuson.thanhhoa.gov.vn"),
        ..BASE
    },
    Row {
        key: "th.trieuson.vhtt",
        parent: Some("th.trieuson"),
        kind: Department,
        name: "Phòng Văn hóa và Thông tin huyện Triệu Sơn",
        short: "VHTT",
        email: Some("vhtt.trieuson@thanhhoa.gov.vn"),
        ..BASE
    },
    Row {
        key: "th.trieuson.nua",
        parent: Some("th.trieuson"),
        kind: Commune,
        name: "Thị trấn Nưa",
        short: "UBND",
        code: Some("15484"),
        phone: Some("0237 3567 201"),
        ..BASE
    },
    Row {
        key: "th.trieuson.danluc",
        parent: Some("th.trieuson"),
        kind: Commune,
        name: "UBND xã Dân Lực",
        short: "UBND",
        code: Some("15493"),
        phone: Some("0237 3567 318"),
        ..BASE
    },
    Row {
        key: "th.trieuson.danly",
        parent: Some("th.trieuson"),
        kind: Commune,
        name: "UBND xã Dân Lý",
        short: "UBND",
        code: Some("15496"),
        ..BASE
    },
    Row {
        key: "th.trieuson.danquyen",
        parent: Some("th.trieuson"),
        kind: Commune,
        name: "UBND xã Dân Quyền",
        short: "UBND",
        code: Some("15499"),
        ..BASE
    },
    Row {
        key: "th.trieuson.thodan",
        parent: Some("th.trieuson"),
        kind: Commune,
        name: "UBND xã Thọ Dân",
        short: "UBND",
        code: Some("15469"),
        ..BASE
    },
    Row {
        key: "th.thoxuan",
        parent: Some("th"),
        kind: District,
        name: "UBND huyện Thọ Xuân",
        short: "UBND",
        code: Some("390"),
        eid: Some("000.25.00.H56"),
        phone: Some("0237 3833 169"),
        email: Some("thoxuan@thanhhoa.gov.vn"),
        web: Some("https://thoxuan.thanhhoa.gov.vn"),
        ..BASE
    },
    Row {
        key: "th.thoxuan.tt",
        parent: Some("th.thoxuan"),
        kind: Commune,
        name: "Thị trấn Thọ Xuân",
        short: "UBND",
        code: Some("15001"),
        ..BASE
    },
    Row {
        key: "th.thoxuan.xuanlam",
        parent: Some("th.thoxuan"),
        kind: Commune,
        name: "UBND xã Xuân Lam",
        short: "UBND",
        code: Some("15016"),
        ..BASE
    },
    Row {
        key: "th.thoxuan.xuanhoa",
        parent: Some("th.thoxuan"),
        kind: Commune,
        name: "UBND xã Xuân Hòa",
        short: "UBND",
        code: Some("15040"),
        ..BASE
    },
    Row {
        key: "th.thoxuan.tholap",
        parent: Some("th.thoxuan"),
        kind: Commune,
        name: "UBND xã Thọ Lập",
        short: "UBND",
        code: Some("15046"),
        ..BASE
    },
    Row {
        key: "th.samson",
        parent: Some("th"),
        kind: District,
        name: "UBND thành phố Sầm Sơn",
        short: "UBND",
        code: Some("382"),
        eid: Some("000.22.00.H56"),
        phone: Some("0237 3821 238"),
        email: Some("samson@thanhhoa.gov.vn"),
        ..BASE
    },
    Row {
        key: "th.samson.truongson",
        parent: Some("th.samson"),
        kind: Commune,
        name: "UBND phường Trường Sơn",
        short: "UBND",
        code: Some("14770"),
        ..BASE
    },
    Row {
        key: "th.samson.bacson",
        parent: Some("th.samson"),
        kind: Commune,
        name: "UBND phường Bắc Sơn",
        short: "UBND",
        code: Some("14773"),
        ..BASE
    },
    Row {
        key: "th.samson.quangtien",
        parent: Some("th.samson"),
        kind: Commune,
        name: "UBND phường Quảng Tiến",
        short: "UBND",
        code: Some("14776"),
        ..BASE
    },
    // ── Cao Bằng (two-tier since 1 July 2025) ──
    Row {
        key: "cb",
        kind: ProvincialCommittee,
        name: "UBND tỉnh Cao Bằng",
        short: "UBND",
        code: Some("04"),
        eid: Some("000.00.00.H12"),
        phone: Some("0206 3852 137"),
        email: Some("ubnd@caobang.gov.vn"),
        web: Some("https://caobang.gov.vn"),
        from: (1976, 1, 1),
        ..BASE
    },
    Row {
        key: "cb.skhcn",
        parent: Some("cb"),
        kind: Department,
        name: "Sở Khoa học và Công nghệ tỉnh Cao Bằng",
        short: "SKHCN",
        eid: Some("000.00.16.H12"),
        email: Some("skhcn@caobang.gov.vn"),
        ..BASE
    },
    Row {
        key: "cb.stttt",
        parent: Some("cb"),
        kind: Department,
        name: "Sở Thông tin và Truyền thông tỉnh Cao Bằng",
        short: "STTTT",
        eid: Some("000.00.31.H12"),
        email: Some("stttt@caobang.gov.vn"),
        from: (2008, 4, 1),
        to: Some((2025, 2, 28)),
        successor: Some("cb.skhcn"),
        ..BASE
    },
    Row {
        key: "cb.svhttdl",
        parent: Some("cb"),
        kind: Department,
        name: "Sở Văn hóa, Thể thao và Du lịch tỉnh Cao Bằng",
        short: "SVHTTDL",
        eid: Some("000.00.20.H12"),
        phone: Some("0206 3852 461"),
        email: Some("svhttdl@caobang.gov.vn"),
        lead: true,
        from: (2008, 4, 1),
        ..BASE
    },
    Row {
        key: "cb.bao",
        parent: Some("cb"),
        kind: PressAgency,
        name: "Báo và Phát thanh, Truyền hình Cao Bằng",
        short: "BPTTH",
        phone: Some("0206 3852 442"),
        email: Some("toasoan@baocaobang.vn"),
        web: Some("https://baocaobang.vn"),
        media: &[Print, Online, Radio, Television],
        from: (2025, 7, 1),
        ..BASE
    },
    Row {
        key: "cb.thucphan",
        parent: Some("cb"),
        kind: Commune,
        name: "UBND phường Thục Phán",
        short: "UBND",
        code: Some("01273"),
        phone: Some("0206 3852 820"),
        from: (2025, 7, 1),
        ..BASE
    },
    Row {
        key: "cb.nungtricao",
        parent: Some("cb"),
        kind: Commune,
        name: "UBND phường Nùng Trí Cao",
        short: "UBND",
        code: Some("01279"),
        from: (2025, 7, 1),
        ..BASE
    },
    Row {
        key: "cb.tangiang",
        parent: Some("cb"),
        kind: Commune,
        name: "UBND phường Tân Giang",
        short: "UBND",
        code: Some("01288"),
        from: (2025, 7, 1),
        ..BASE
    },
    Row {
        key: "cb.hungdao",
        parent: Some("cb"),
        kind: Commune,
        name: "UBND xã Hưng Đạo",
        short: "UBND",
        code: Some("01297"),
        from: (2025, 7, 1),
        ..BASE
    },
    Row {
        key: "cb.nguyenbinh",
        parent: Some("cb"),
        kind: Commune,
        name: "UBND xã Nguyên Bình",
        short: "UBND",
        code: Some("01720"),
        from: (2025, 7, 1),
        ..BASE
    },
    Row {
        key: "cb.tpcb",
        parent: Some("cb"),
        kind: District,
        name: "UBND thành phố Cao Bằng",
        short: "UBND",
        code: Some("040"),
        eid: Some("000.01.00.H12"),
        email: Some("tpcaobang@caobang.gov.vn"),
        from: (2012, 9, 25),
        to: Some((2025, 6, 30)),
        successor: Some("cb"),
        ..BASE
    },
    Row {
        key: "cb.tpcb.songhien",
        parent: Some("cb.tpcb"),
        kind: Commune,
        name: "UBND phường Sông Hiến",
        short: "UBND",
        code: Some("01270"),
        from: (2012, 9, 25),
        to: Some((2025, 6, 30)),
        successor: Some("cb.thucphan"),
        ..BASE
    },
    Row {
        key: "cb.tpcb.hopgiang",
        parent: Some("cb.tpcb"),
        kind: Commune,
        name: "UBND phường Hợp Giang",
        short: "UBND",
        code: Some("01276"),
        from: (2012, 9, 25),
        to: Some((2025, 6, 30)),
        successor: Some("cb.thucphan"),
        ..BASE
    },
    Row {
        key: "cb.tpcb.songbang",
        parent: Some("cb.tpcb"),
        kind: Commune,
        name: "UBND phường Sông Bằng",
        short: "UBND",
        code: Some("01282"),
        from: (2012, 9, 25),
        to: Some((2025, 6, 30)),
        successor: Some("cb.nungtricao"),
        ..BASE
    },
    // ── Central press ──
    Row {
        key: "press.nhandan",
        kind: PressAgency,
        name: "Báo Nhân Dân",
        short: "ND",
        phone: Some("024 3825 4231"),
        email: Some("toasoan@nhandan.vn"),
        web: Some("https://nhandan.vn"),
        media: &[Print, Online],
        ..BASE
    },
    Row {
        key: "press.ttxvn",
        kind: PressAgency,
        name: "Thông tấn xã Việt Nam",
        short: "TTXVN",
        phone: Some("024 3825 2931"),
        web: Some("https://vnanet.vn"),
        media: &[Print, Online, Television],
        ..BASE
    },
    Row {
        key: "press.vtv",
        kind: PressAgency,
        name: "Đài Truyền hình Việt Nam",
        short: "VTV",
        web: Some("https://vtv.vn"),
        media: &[Television, Online],
        ..BASE
    },
    Row {
        key: "press.vov",
        kind: PressAgency,
        name: "Đài Tiếng nói Việt Nam",
        short: "VOV",
        web: Some("https://vov.vn"),
        media: &[Radio, Online],
        ..BASE
    },
    Row {
        key: "press.vnexpress",
        kind: PressAgency,
        name: "Báo điện tử VnExpress",
        short: "VNE",
        email: Some("webmaster@vnexpress.net"),
        web: Some("https://vnexpress.net"),
        media: &[Online],
        ..BASE
    },
];

fn date((y, m, d): (i32, u32, u32)) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad demo date {y}-{m}-{d}")))
}

/// What seeding did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Agencies inserted by this run (0 when the demo data was already there).
    pub agencies_inserted: usize,
    /// Agencies in the demo data set.
    pub agencies_total: usize,
    /// Accounts and service clients inserted by this run.
    pub accounts_inserted: usize,
    /// Spokespersons inserted by this run.
    pub spokespersons_inserted: usize,
    /// Press events inserted by this run.
    pub events_inserted: usize,
    /// Information releases inserted by this run.
    pub releases_inserted: usize,
    /// Press requests inserted by this run.
    pub requests_inserted: usize,
    /// Reporting obligations inserted by this run.
    pub obligations_inserted: usize,
    /// Incidents inserted by this run.
    pub incidents_inserted: usize,
    /// Training sessions inserted by this run.
    pub trainings_inserted: usize,
    /// Plans inserted by this run.
    pub plans_inserted: usize,
}

/// Loads the demo data in one transaction; records already present are left alone.
pub async fn seed(db: &DatabaseConnection) -> AppResult<SeedReport> {
    let txn = db.begin().await?;
    let mut report = SeedReport {
        agencies_total: ROWS.len(),
        ..Default::default()
    };
    for row in ROWS {
        let new = NewAgency {
            kind: row.kind,
            parent: row.parent.map(|key| AgencyId(demo_id(key))),
            details: Details {
                name: row.name.to_owned(),
                short_name: ShortName::parse(row.short)?,
                admin_code: row.code.map(str::to_owned),
                electronic_id: row.eid.map(ElectronicId::parse).transpose()?,
                address: None,
                phone: row.phone.map(str::to_owned),
                email: row.email.map(str::to_owned),
                website: row.web.map(str::to_owned),
                press_media: row.media.to_vec(),
                press_licence: None,
                is_ttdn_lead: row.lead,
                valid_from: date(row.from)?,
            },
        };
        let valid_to = row.to.map(date).transpose()?;
        let successor = row.successor.map(demo_id);
        if agency_service::insert_fixed(&txn, demo_id(row.key), new, valid_to, successor).await? {
            report.agencies_inserted += 1;
        }
    }
    for (key, username, display_name, role, agency) in DEMO_ACCOUNTS {
        let username = Username::parse(username)?;
        let new = NewUser {
            password: NewPassword::parse("password", DEMO_PASSWORD, username.as_str())?,
            username,
            display_name: (*display_name).to_owned(),
            role: *role,
            agency: agency.map(|key| AgencyId(demo_id(key))),
        };
        if accounts::bootstrap(&txn, UserId(demo_id(key)), new)
            .await?
            .is_some()
        {
            report.accounts_inserted += 1;
        }
    }
    report.spokespersons_inserted = seed_spokespersons(&txn).await?;
    report.events_inserted = seed_events(&txn).await?;
    report.releases_inserted = seed_releases(&txn).await?;
    report.requests_inserted = seed_press_requests(&txn).await?;
    report.obligations_inserted = seed_obligations(&txn).await?;
    report.incidents_inserted = seed_incidents(&txn).await?;
    report.trainings_inserted = seed_trainings(&txn).await?;
    report.plans_inserted = seed_plans(&txn).await?;
    let client = NewClient {
        name: "Hệ thống quản lý văn bản và điều hành tỉnh Thanh Hóa".to_owned(),
        agency: AgencyId(demo_id("th")),
        scopes: vec![
            ClientScope::AgenciesRead,
            ClientScope::UsersRead,
            ClientScope::AuditRead,
            ClientScope::PressRead,
        ],
    };
    let client_id = ServiceClientId(demo_id(DEMO_CLIENT));
    if clients::bootstrap(&txn, client_id, client, DEMO_CLIENT_SECRET).await? {
        report.accounts_inserted += 1;
    }
    txn.commit().await?;
    Ok(report)
}

/// A deterministic, made-up Vietnamese name for the demo record `key` (no real person).
fn demo_name(key: &str, salt: u8) -> String {
    const FAMILY: [&str; 10] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
    ];
    const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang"];
    const GIVEN: [&str; 16] = [
        "An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hương", "Khánh", "Lan", "Long", "Nga",
        "Phúc", "Quân", "Sơn", "Thảo", "Tùng",
    ];
    let bytes = Uuid::new_v5(&NAMESPACE, format!("{key}#{salt}").as_bytes()).into_bytes();
    format!(
        "{} {} {}",
        FAMILY[bytes[0] as usize % FAMILY.len()],
        MIDDLE[bytes[1] as usize % MIDDLE.len()],
        GIVEN[bytes[2] as usize % GIVEN.len()]
    )
}

/// Every demo agency but the press gets its head as spokesperson (closed agencies too, with the
/// term ending when the agency closed, so that the directory answers for past dates); the
/// departments and districts also have an appointed spokesperson; Triệu Sơn has an authorisation
/// current when the data is seeded.
async fn seed_spokespersons<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use entity::{ids::SpokespersonId, spokesperson::SpokespersonKind};

    use crate::spokesperson::service::{self as spokespersons, Appointment};

    let mut inserted = 0;
    for row in ROWS.iter().filter(|r| r.kind != PressAgency) {
        let (head_title, deputy_title) = match row.kind {
            ProvincialCommittee | District | Commune => ("Chủ tịch", "Phó Chủ tịch"),
            _ => ("Giám đốc", "Phó Giám đốc"),
        };
        let from = date(row.from)?.max(date((2021, 7, 1))?);
        let to = row.to.map(date).transpose()?;
        let head = Appointment {
            agency: AgencyId(demo_id(row.key)),
            full_name: demo_name(row.key, 0),
            title: format!("{head_title} {}", row.name.trim_start_matches("UBND ")),
            kind: SpokespersonKind::Head,
            phone: row.phone.map(str::to_owned),
            email: row.email.map(str::to_owned),
            document: None,
            term_from: from,
            term_to: to,
            grantor: None,
            subject: None,
        };
        let head_id = SpokespersonId(demo_id(&format!("spokesperson.head.{}", row.key)));
        inserted += usize::from(spokespersons::insert_demo(db, head_id, head).await?);
        if matches!(row.kind, Department | District) && row.to.is_none() {
            let appointed = Appointment {
                agency: AgencyId(demo_id(row.key)),
                full_name: demo_name(row.key, 1),
                title: format!("{deputy_title} {}", row.name.trim_start_matches("UBND ")),
                kind: SpokespersonKind::Appointed,
                phone: row.phone.map(str::to_owned),
                email: row.email.map(str::to_owned),
                document: Some(crate::document::DocumentRef {
                    number: crate::document::DocumentNumber::parse(
                        "number",
                        &format!("{}/QĐ-{}", 100 + inserted, row.short),
                    )?,
                    date: date((2025, 3, 5))?,
                }),
                term_from: date((2025, 3, 10))?,
                term_to: None,
                grantor: None,
                subject: None,
            };
            let id = SpokespersonId(demo_id(&format!("spokesperson.appointed.{}", row.key)));
            inserted += usize::from(spokespersons::insert_demo(db, id, appointed).await?);
        }
    }
    let authorised = Appointment {
        agency: AgencyId(demo_id("th.trieuson")),
        full_name: demo_name("th.trieuson", 2),
        title: "Trưởng phòng Văn hóa và Thông tin huyện Triệu Sơn".to_owned(),
        kind: SpokespersonKind::Authorised,
        phone: Some("0237 3867 555".to_owned()),
        email: Some("vhtt.trieuson@thanhhoa.gov.vn".to_owned()),
        document: Some(crate::document::DocumentRef {
            number: crate::document::DocumentNumber::parse("number", "812/GUQ-UBND")?,
            date: crate::time::today() - chrono::Duration::days(33),
        }),
        // Relative to the seeding day, so that the demo always has a current authorisation.
        term_from: crate::time::today() - chrono::Duration::days(30),
        term_to: Some(crate::time::today() + chrono::Duration::days(60)),
        grantor: Some(SpokespersonId(demo_id("spokesperson.head.th.trieuson"))),
        subject: Some("Lễ hội văn hóa, du lịch huyện Triệu Sơn năm 2026".to_owned()),
    };
    let id = SpokespersonId(demo_id("spokesperson.authorised.th.trieuson"));
    inserted += usize::from(spokespersons::insert_demo(db, id, authorised).await?);
    Ok(inserted)
}

/// Demo events: the 2025 press work of the Sở VHTTDL Thanh Hóa as seed 002 counts it in a year
/// (6 briefings, 10 liaison meetings, 1 press conference, all held), plus upcoming events:
/// a press conference of Triệu Sơn (co-organized by Dân Lực, Báo Thanh Hóa invited), a planned
/// event of Dân Lực, and a Cao Bằng liaison meeting for its own press.
async fn seed_events<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use chrono::{Duration, TimeZone, Utc};
    use entity::{
        ids::{PressEventId, SpokespersonId},
        press_event::{PressEventKind, PressEventStatus},
    };

    use crate::press_event::service::{self as events, NewEvent};

    let at = |y: i32, m: u32, d: u32, h: u32| {
        crate::time::VIETNAM
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad demo time")))
    };
    let event =
        |organizer: &str, kind, title: String, starts_at, presiding: Option<&str>| NewEvent {
            organizer: AgencyId(demo_id(organizer)),
            co_organizers: Vec::new(),
            kind,
            title,
            starts_at,
            ends_at: Some(starts_at + Duration::hours(2)),
            place: Some(
                "Hội trường Sở Văn hóa, Thể thao và Du lịch, số 32 Lê Hoàn, TP Thanh Hóa"
                    .to_owned(),
            ),
            online_url: None,
            presiding: presiding.map(|key| SpokespersonId(demo_id(key))),
            is_public: false,
            topics: None,
            agenda: None,
        };
    let th_press = [AgencyId(demo_id("th.baoth")), AgencyId(demo_id("th.ptth"))];
    let mut inserted = 0;
    let mut year = Vec::new();
    for n in 0..6u32 {
        year.push((
            PressEventKind::PressBriefing,
            format!(
                "Hội nghị cung cấp thông tin cho báo chí quý {}/2025",
                n / 2 + 1
            ),
            at(2025, 2 * n + 1, 20, 8)?,
        ));
    }
    for n in 0..10u32 {
        year.push((
            PressEventKind::PressLiaisonMeeting,
            format!("Giao ban báo chí tháng {}/2025", n + 2),
            at(2025, n + 2, 5, 14)?,
        ));
    }
    year.push((
        PressEventKind::PressConference,
        "Họp báo công bố Lễ hội Du lịch biển Sầm Sơn 2025".to_owned(),
        at(2025, 4, 15, 9)?,
    ));
    for (n, (kind, title, starts_at)) in year.into_iter().enumerate() {
        let new = event(
            "th.svhttdl",
            kind,
            title,
            starts_at,
            Some("spokesperson.head.th.svhttdl"),
        );
        let id = PressEventId(demo_id(&format!("event.th.2025.{n}")));
        inserted +=
            usize::from(events::insert_demo(db, id, new, PressEventStatus::Held, &th_press).await?);
    }
    let soon = Utc::now() + Duration::days(30);
    let mut trieuson = event(
        "th.trieuson",
        PressEventKind::PressConference,
        "Họp báo thông tin về Lễ hội văn hóa, du lịch huyện Triệu Sơn".to_owned(),
        soon,
        Some("spokesperson.head.th.trieuson"),
    );
    trieuson.co_organizers = vec![AgencyId(demo_id("th.trieuson.danluc"))];
    trieuson.place = Some("Hội trường UBND huyện Triệu Sơn".to_owned());
    trieuson.topics = Some("Lễ hội văn hóa\nDu lịch cộng đồng".to_owned());
    inserted += usize::from(
        events::insert_demo(
            db,
            PressEventId(demo_id("event.th.trieuson")),
            trieuson,
            PressEventStatus::Announced,
            &th_press,
        )
        .await?,
    );
    let mut danluc = event(
        "th.trieuson.danluc",
        PressEventKind::Interview,
        "Trả lời phỏng vấn về xây dựng nông thôn mới nâng cao".to_owned(),
        soon + Duration::days(7),
        None,
    );
    danluc.place = Some("UBND xã Dân Lực".to_owned());
    inserted += usize::from(
        events::insert_demo(
            db,
            PressEventId(demo_id("event.th.danluc")),
            danluc,
            PressEventStatus::Planned,
            &[],
        )
        .await?,
    );
    let mut caobang = event(
        "cb.svhttdl",
        PressEventKind::PressLiaisonMeeting,
        "Giao ban báo chí tỉnh Cao Bằng".to_owned(),
        soon + Duration::days(3),
        Some("spokesperson.head.cb.svhttdl"),
    );
    caobang.place = Some("Sở Văn hóa, Thể thao và Du lịch Cao Bằng".to_owned());
    inserted += usize::from(
        events::insert_demo(
            db,
            PressEventId(demo_id("event.cb.liaison")),
            caobang,
            PressEventStatus::Announced,
            &[AgencyId(demo_id("cb.bao"))],
        )
        .await?,
    );
    Ok(inserted)
}

/// Demo releases: the Sở's two information bulletins a month in 2025 (seed 002), and a few of
/// every audience and state around today for both provinces.
async fn seed_releases<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use chrono::{Duration, TimeZone, Utc};
    use entity::{
        ids::{ReleaseId, SpokespersonId},
        information_release::{Audience, ReleaseKind},
    };

    use crate::release::service::{self as releases, Content};

    let content = |kind,
                   title: &str,
                   body: &str,
                   topics: &[&str],
                   spokesperson: &str,
                   audience,
                   recipients: &[&str]| Content {
        document: None,
        kind,
        title: title.to_owned(),
        summary: Some(format!("Tóm tắt: {title}")),
        body: body.to_owned(),
        topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        language: "vi".to_owned(),
        spokesperson: Some(SpokespersonId(demo_id(spokesperson))),
        event: None,
        audience,
        embargo_until: None,
        recipients: recipients.iter().map(|k| AgencyId(demo_id(k))).collect(),
        attachments: Vec::new(),
        corrects: None,
    };
    let mut inserted = 0;
    let th_head = "spokesperson.head.th.svhttdl";
    for month in 1..=12u32 {
        for (half, (kind, topic)) in [
            (ReleaseKind::InformationBulletin, "Du lịch"),
            (ReleaseKind::PropagandaGuidance, "Thông tin đối ngoại"),
        ]
        .into_iter()
        .enumerate()
        {
            let title = format!(
                "Cung cấp thông tin cho báo chí số {}/2025",
                2 * month as usize - 1 + half
            );
            let body = format!(
                "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa cung cấp thông tin tháng {month}/2025: hoạt động của lãnh đạo tỉnh, thu hút đầu tư, quảng bá hình ảnh Thanh Hóa."
            );
            let published = crate::time::VIETNAM
                .with_ymd_and_hms(2025, month, 5 + 15 * half as u32, 9, 0, 0)
                .single()
                .map(|t| t.with_timezone(&Utc));
            let new = content(
                kind,
                &title,
                &body,
                &[topic, "Thanh Hóa"],
                th_head,
                Audience::Public,
                &[],
            );
            let id = ReleaseId(demo_id(&format!("release.th.2025.{month}.{half}")));
            inserted += usize::from(
                releases::insert_demo(db, id, AgencyId(demo_id("th.svhttdl")), new, published)
                    .await?,
            );
        }
    }
    let now = Utc::now();
    let recent = Some(now - Duration::days(2));
    let extra = [
        (
            "release.th.targeted",
            "th.svhttdl",
            content(
                ReleaseKind::PressRelease,
                "Thông cáo báo chí về Lễ hội Lam Kinh",
                "Nội dung thông cáo về Lễ hội Lam Kinh năm 2026.",
                &["Lễ hội"],
                th_head,
                Audience::Targeted,
                &["th.baoth"],
            ),
            recent,
        ),
        (
            "release.th.internal",
            "th.svhttdl",
            content(
                ReleaseKind::PropagandaGuidance,
                "Hướng dẫn tuyên truyền nội bộ về biển, đảo",
                "Định hướng tuyên truyền cho các cơ quan.",
                &["Biển đảo"],
                th_head,
                Audience::Internal,
                &[],
            ),
            recent,
        ),
        (
            "release.th.draft",
            "th.svhttdl",
            content(
                ReleaseKind::PressRelease,
                "Dự thảo thông cáo về kết quả năm 2026",
                "Đang soạn thảo.",
                &[],
                th_head,
                Audience::Public,
                &[],
            ),
            None,
        ),
        (
            "release.th.trieuson.draft",
            "th.trieuson",
            content(
                ReleaseKind::InformationBulletin,
                "Dự thảo thông tin về Lễ hội văn hóa huyện Triệu Sơn",
                "Đang soạn thảo.",
                &["Lễ hội"],
                "spokesperson.head.th.trieuson",
                Audience::Public,
                &[],
            ),
            None,
        ),
        (
            "release.th.danluc.draft",
            "th.trieuson.danluc",
            content(
                ReleaseKind::InformationBulletin,
                "Dự thảo thông tin xã Dân Lực",
                "Đang soạn thảo.",
                &[],
                "spokesperson.head.th.trieuson.danluc",
                Audience::Public,
                &[],
            ),
            None,
        ),
        (
            "release.cb.public",
            "cb.svhttdl",
            content(
                ReleaseKind::PressRelease,
                "Thông cáo báo chí về Công viên địa chất Non nước Cao Bằng",
                "Công viên địa chất toàn cầu UNESCO Non nước Cao Bằng.",
                &["Du lịch"],
                "spokesperson.head.cb.svhttdl",
                Audience::Public,
                &[],
            ),
            recent,
        ),
        (
            "release.cb.targeted",
            "cb.svhttdl",
            content(
                ReleaseKind::PressRelease,
                "Thông tin riêng cho Báo và Phát thanh, Truyền hình Cao Bằng",
                "Nội dung gửi riêng.",
                &[],
                "spokesperson.head.cb.svhttdl",
                Audience::Targeted,
                &["cb.bao"],
            ),
            recent,
        ),
        (
            "release.cb.draft",
            "cb.svhttdl",
            content(
                ReleaseKind::PressRelease,
                "Dự thảo thông cáo Cao Bằng",
                "Đang soạn thảo.",
                &[],
                "spokesperson.head.cb.svhttdl",
                Audience::Public,
                &[],
            ),
            None,
        ),
    ];
    for (key, issuer, new, published) in extra {
        inserted += usize::from(
            releases::insert_demo(
                db,
                ReleaseId(demo_id(key)),
                AgencyId(demo_id(issuer)),
                new,
                published,
            )
            .await?,
        );
    }
    Ok(inserted)
}

/// Demo press requests: Báo Thanh Hóa's questions to the province, Triệu Sơn (one of them
/// overdue) and Dân Lực; Cao Bằng's newspaper asking its Sở.
async fn seed_press_requests<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use chrono::{Duration, Utc};
    use entity::ids::PressRequestId;

    use crate::press_request::service::{self as requests, NewRequest};

    let now = Utc::now();
    let rows = [
        (
            "request.th.svhttdl",
            "th.baoth",
            "th.svhttdl",
            "Số liệu khách du lịch năm 2026",
            3,
        ),
        (
            "request.th.trieuson",
            "th.baoth",
            "th.trieuson",
            "Tiến độ giải phóng mặt bằng cụm công nghiệp",
            40,
        ),
        (
            "request.th.trieuson.2",
            "th.baoth",
            "th.trieuson",
            "Kế hoạch tổ chức lễ hội văn hóa huyện",
            5,
        ),
        (
            "request.th.danluc",
            "th.baoth",
            "th.trieuson.danluc",
            "Kết quả xây dựng nông thôn mới nâng cao",
            10,
        ),
        (
            "request.cb",
            "cb.bao",
            "cb.svhttdl",
            "Lượng khách tới Công viên địa chất Non nước Cao Bằng",
            7,
        ),
    ];
    let mut inserted = 0;
    for (key, press, addressed, subject, days_ago) in rows {
        let new = NewRequest {
            addressed: AgencyId(demo_id(addressed)),
            subject: subject.to_owned(),
            question: format!("Đề nghị cơ quan cung cấp thông tin: {subject}."),
            due_at: None,
        };
        let received = now - Duration::days(days_ago);
        inserted += usize::from(
            requests::insert_demo(
                db,
                PressRequestId(demo_id(key)),
                AgencyId(demo_id(press)),
                new,
                received,
            )
            .await?,
        );
    }
    Ok(inserted)
}

/// Demo obligations from the seeds: the 2021 annual report asked by Công văn 2480/STTTT-BCXB
/// (passed on by Triệu Sơn to its communes, with every report state), the first-half 2021
/// report of Công văn 537/STTTT-TTBCXB, current 2026 requests of the province, and Cao Bằng's
/// 2025 annual report.
async fn seed_obligations<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};
    use entity::{ids::ObligationId, report::ReportStatus, reporting_obligation::PeriodKind};

    use crate::{
        document::{DocumentNumber, DocumentRef},
        reporting::{
            service::{self as reporting, NewObligation, Recipients, ReportContent},
            templates::builtin_id,
            types::preset_period,
        },
    };

    let doc = |number: &str, day: (i32, u32, u32)| -> AppResult<Option<DocumentRef>> {
        Ok(Some(DocumentRef {
            number: DocumentNumber::parse("number", number)?,
            date: date(day)?,
        }))
    };
    let obligation = |issuer: &str,
                      document,
                      title: &str,
                      kind,
                      period,
                      due,
                      template: &str|
     -> AppResult<NewObligation> {
        Ok(NewObligation {
            issuer: AgencyId(demo_id(issuer)),
            document,
            title: title.to_owned(),
            period_kind: kind,
            period,
            due_date: date(due)?,
            template: builtin_id(template),
            recipients: Recipients::default(),
        })
    };
    let ids = |keys: &[&str]| keys.iter().map(|k| demo_id(k)).collect::<Vec<_>>();
    let at = |y: i32, m: u32, d: u32| {
        crate::time::VIETNAM
            .with_ymd_and_hms(y, m, d, 16, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    let ttdn = |news: i64, briefings: i64, trainings: i64, people: i64| ReportContent {
        sections: BTreeMap::from([
            (
                "situation".to_owned(),
                "Công tác TTĐN được cấp ủy, chính quyền quan tâm chỉ đạo.".to_owned(),
            ),
            (
                "results".to_owned(),
                format!("Đăng tải {news} tin, bài; tổ chức {trainings} lớp tập huấn."),
            ),
            (
                "shortcomings".to_owned(),
                "Nguồn lực cho công tác TTĐN còn hạn chế.".to_owned(),
            ),
            (
                "proposals".to_owned(),
                "Đề nghị tăng cường tập huấn nghiệp vụ cho cơ sở.".to_owned(),
            ),
            (
                "next_plan".to_owned(),
                "Tiếp tục quảng bá hình ảnh địa phương.".to_owned(),
            ),
        ]),
        metrics: BTreeMap::from([
            ("news_articles".to_owned(), serde_json::json!(news)),
            ("press_briefings".to_owned(), serde_json::json!(briefings)),
            ("press_conferences".to_owned(), serde_json::json!(0)),
            ("trainings".to_owned(), serde_json::json!(trainings)),
            (
                "training_participants".to_owned(),
                serde_json::json!(people),
            ),
            ("false_information_handled".to_owned(), serde_json::json!(1)),
        ]),
        signer_name: Some("Nguyễn Văn Long".to_owned()),
        signer_title: Some("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".to_owned()),
        document: None,
    };
    let mut inserted = 0;
    let o2480 = ObligationId(demo_id("obligation.2480"));
    let new = obligation(
        "th.stttt",
        doc("2480/STTTT-BCXB", (2021, 11, 18))?,
        "Báo cáo hoạt động thông tin đối ngoại năm 2021 và xây dựng kế hoạch năm 2022",
        PeriodKind::Annual,
        preset_period(PeriodKind::Annual, 2021, 0)?,
        (2021, 12, 20),
        "TTDN_ANNUAL",
    )?;
    if reporting::insert_demo(
        db,
        o2480,
        &new,
        None,
        &ids(&["th.trieuson", "th.thoxuan", "th.samson"]),
    )
    .await?
    {
        inserted += 1;
        reporting::set_demo_report(
            db,
            o2480,
            AgencyId(demo_id("th.trieuson")),
            ReportStatus::Submitted,
            &ttdn(412, 2, 3, 180),
            at(2021, 12, 15),
        )
        .await?;
        reporting::set_demo_report(
            db,
            o2480,
            AgencyId(demo_id("th.thoxuan")),
            ReportStatus::Accepted,
            &ttdn(265, 1, 2, 120),
            at(2021, 12, 18),
        )
        .await?;
        let child = ObligationId(demo_id("obligation.2480.trieuson"));
        let mut passed = new.clone();
        passed.issuer = AgencyId(demo_id("th.trieuson"));
        passed.document = doc("1650/UBND-VHTT", (2021, 11, 22))?;
        passed.due_date = date((2021, 12, 15))?;
        let communes = [
            "th.trieuson.nua",
            "th.trieuson.danluc",
            "th.trieuson.danly",
            "th.trieuson.danquyen",
            "th.trieuson.thodan",
        ];
        reporting::insert_demo(db, child, &passed, Some(o2480), &ids(&communes)).await?;
        let commune = |key: &str| AgencyId(demo_id(key));
        reporting::set_demo_report(
            db,
            child,
            commune("th.trieuson.danluc"),
            ReportStatus::Accepted,
            &ttdn(36, 0, 1, 25),
            at(2021, 12, 10),
        )
        .await?;
        reporting::set_demo_report(
            db,
            child,
            commune("th.trieuson.danly"),
            ReportStatus::Submitted,
            &ttdn(18, 0, 1, 12),
            at(2021, 12, 17),
        )
        .await?;
        reporting::set_demo_report(
            db,
            child,
            commune("th.trieuson.danquyen"),
            ReportStatus::Returned,
            &ttdn(22, 0, 0, 0),
            at(2021, 12, 12),
        )
        .await?;
        let mut draft = ttdn(9, 0, 0, 0);
        draft.sections.clear();
        reporting::set_demo_report(
            db,
            child,
            commune("th.trieuson.nua"),
            ReportStatus::Draft,
            &draft,
            None,
        )
        .await?;
    }
    let o537 = ObligationId(demo_id("obligation.537"));
    let new = obligation(
        "th.stttt",
        doc("537/STTTT-TTBCXB", (2021, 5, 24))?,
        "Báo cáo kết quả công tác thông tin đối ngoại 6 tháng đầu năm 2021",
        PeriodKind::Semiannual,
        preset_period(PeriodKind::Semiannual, 2021, 1)?,
        (2021, 6, 20),
        "TTDN_SEMIANNUAL",
    )?;
    if reporting::insert_demo(
        db,
        o537,
        &new,
        None,
        &ids(&["th.trieuson", "th.thoxuan", "th.samson"]),
    )
    .await?
    {
        inserted += 1;
        reporting::set_demo_report(
            db,
            o537,
            AgencyId(demo_id("th.trieuson")),
            ReportStatus::Submitted,
            &ttdn(198, 1, 1, 90),
            at(2021, 6, 18),
        )
        .await?;
        reporting::set_demo_report(
            db,
            o537,
            AgencyId(demo_id("th.thoxuan")),
            ReportStatus::Submitted,
            &ttdn(120, 0, 1, 60),
            at(2021, 6, 25),
        )
        .await?;
    }
    let current = [
        (
            "obligation.th.2026.h2",
            obligation(
                "th.svhttdl",
                doc("2150/SVHTTDL-TTBCXB", (2026, 11, 2))?,
                "Báo cáo kết quả công tác thông tin đối ngoại 6 tháng cuối năm 2026",
                PeriodKind::Semiannual,
                preset_period(PeriodKind::Semiannual, 2026, 2)?,
                (2026, 12, 20),
                "TTDN_SEMIANNUAL",
            )?,
            ids(&[
                "th.trieuson",
                "th.thoxuan",
                "th.samson",
                "th.trieuson.nua",
                "th.trieuson.danluc",
                "th.trieuson.danly",
                "th.trieuson.danquyen",
                "th.trieuson.thodan",
            ]),
        ),
        (
            "obligation.th.press.2026",
            obligation(
                "th",
                doc("4321/UBND-VX", (2026, 11, 10))?,
                "Báo cáo kết quả phát ngôn và cung cấp thông tin cho báo chí năm 2026",
                PeriodKind::Annual,
                preset_period(PeriodKind::Annual, 2026, 0)?,
                (2026, 12, 19),
                "PRESS_STATEMENT_ANNUAL",
            )?,
            ids(&["th.svhttdl", "th.trieuson", "th.thoxuan", "th.samson"]),
        ),
        (
            "obligation.cb.2025",
            obligation(
                "cb.svhttdl",
                doc("1890/SVHTTDL-QLBC", (2025, 11, 20))?,
                "Báo cáo tổng kết công tác thông tin đối ngoại năm 2025",
                PeriodKind::Annual,
                preset_period(PeriodKind::Annual, 2025, 0)?,
                (2025, 12, 20),
                "TTDN_ANNUAL",
            )?,
            ids(&[
                "cb.thucphan",
                "cb.nungtricao",
                "cb.tangiang",
                "cb.hungdao",
                "cb.nguyenbinh",
            ]),
        ),
    ];
    for (key, new, recipients) in current {
        let id = ObligationId(demo_id(key));
        if !reporting::insert_demo(db, id, &new, None, &recipients).await? {
            continue;
        }
        inserted += 1;
        if key == "obligation.cb.2025" {
            let thucphan = AgencyId(demo_id("cb.thucphan"));
            reporting::set_demo_report(
                db,
                id,
                thucphan,
                ReportStatus::Submitted,
                &ttdn(54, 1, 1, 40),
                at(2025, 12, 18),
            )
            .await?;
        }
    }
    Ok(inserted)
}

/// (key, affected, handler, category, outlet, summary, received, hours to the statement,
/// correction requested, closed).
type DemoIncident = (
    &'static str,
    &'static str,
    Option<&'static str>,
    entity::incident::IncidentCategory,
    &'static str,
    &'static str,
    chrono::DateTime<chrono::Utc>,
    Option<i64>,
    bool,
    bool,
);

/// Demo incidents: a year (2025) of false information and coverage in Thanh Hóa, most answered
/// within 24 hours, one late, one never answered; and open ones now, one of them overdue.
async fn seed_incidents<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use chrono::{Duration, TimeZone, Utc};
    use entity::{
        ids::IncidentId,
        incident::{IncidentCategory, IncidentStatus, Model},
        legal_setting::LegalKey,
    };

    use crate::{incident::service as incidents, legal::service as legal};

    let now = Utc::now();
    let at = |m: u32, d: u32| {
        crate::time::VIETNAM
            .with_ymd_and_hms(2025, m, d, 8, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
    };
    let rows: [DemoIncident; 8] = [
        (
            "incident.th.2025.1",
            "th.trieuson",
            Some("th.trieuson"),
            IncidentCategory::FalseInformation,
            "Trang Facebook \"Tin nóng Triệu Sơn\"",
            "Tin sai về thu hồi đất cụm công nghiệp",
            at(2, 10),
            Some(6),
            true,
            true,
        ),
        (
            "incident.th.2025.2",
            "th",
            Some("th.svhttdl"),
            IncidentCategory::NegativeCoverage,
            "Báo điện tử VnExpress",
            "Phản ánh ùn tắc tại lễ hội Sầm Sơn",
            at(4, 20),
            Some(20),
            false,
            true,
        ),
        (
            "incident.th.2025.3",
            "th.samson",
            Some("th.samson"),
            IncidentCategory::FalseInformation,
            "Kênh YouTube cá nhân",
            "Thông tin sai về chất lượng nước biển",
            at(6, 3),
            Some(30),
            true,
            true,
        ),
        (
            "incident.th.2025.4",
            "th.thoxuan",
            Some("th.thoxuan"),
            IncidentCategory::CrisisEvent,
            "Đài Truyền hình Việt Nam",
            "Sự cố sạt lở bờ sông",
            at(8, 15),
            Some(3),
            false,
            true,
        ),
        (
            "incident.th.2025.5",
            "th.trieuson.danluc",
            Some("th.trieuson"),
            IncidentCategory::FalseInformation,
            "Nhóm Zalo cộng đồng",
            "Tin đồn sai về dịch bệnh gia cầm",
            at(10, 1),
            None,
            false,
            true,
        ),
        (
            "incident.th.current",
            "th.trieuson.danluc",
            Some("th.trieuson"),
            IncidentCategory::FalseInformation,
            "Trang TikTok \"Dân Lực 24h\"",
            "Video cắt ghép sai sự thật về cán bộ xã",
            now - Duration::days(2),
            None,
            false,
            false,
        ),
        (
            "incident.th.danluc",
            "th.trieuson.danluc",
            Some("th.trieuson.danluc"),
            IncidentCategory::NegativeCoverage,
            "Báo Thanh Hóa",
            "Phản ánh chậm giải quyết thủ tục đất đai",
            now - Duration::hours(5),
            None,
            false,
            false,
        ),
        (
            "incident.cb",
            "cb.thucphan",
            Some("cb.thucphan"),
            IncidentCategory::FalseInformation,
            "Trang Facebook \"Cao Bằng ơi\"",
            "Tin sai về đóng cửa khu du lịch",
            now - Duration::hours(10),
            None,
            false,
            false,
        ),
    ];
    let mut inserted = 0;
    for (key, affected, handler, category, outlet, summary, received, hours, correction, closed) in
        rows
    {
        let model = Model {
            id: demo_id(key),
            reporting_agency_id: demo_id(affected),
            affected_agency_id: demo_id(affected),
            handling_agency_id: handler.map(demo_id),
            source_outlet: outlet.to_owned(),
            link: None,
            category,
            summary: summary.to_owned(),
            appeared_at: received - Duration::hours(3),
            received_at: received,
            statement_due_at: received + legal::default_window(LegalKey::IncidentStatementHours),
            first_statement_at: hours.map(|h| received + Duration::hours(h)),
            correction_release_id: None,
            correction_requested: correction,
            status: if closed {
                IncidentStatus::Closed
            } else {
                IncidentStatus::Open
            },
            outcome: closed.then(|| "Đã cung cấp thông tin chính thức cho báo chí.".to_owned()),
            closed_at: closed.then_some(received + Duration::days(3)),
            version: 1,
            created_at: received,
            updated_at: received,
        };
        inserted += usize::from(incidents::insert_demo(db, IncidentId(demo_id(key)), model).await?);
    }
    Ok(inserted)
}

/// Demo trainings: the September 2020 session of the Sở TTTT with about a hundred leaders,
/// spokespersons, officers and reporters (seed 002), an upcoming provincial session with quotas,
/// a district session of Triệu Sơn, and one in Cao Bằng.
async fn seed_trainings<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use chrono::{Duration, TimeZone, Utc};
    use entity::{
        ids::TrainingId, training_participant::ParticipantCategory, training_session::TrainingMode,
    };

    use crate::training::service::{self as training, NewSession, Registration};

    let session = |organizer: &str,
                   title: &str,
                   starts_at: chrono::DateTime<Utc>,
                   capacity: i32| NewSession {
        organizer: AgencyId(demo_id(organizer)),
        title: title.to_owned(),
        topics: Some("Báo chí và thông tin đối ngoại\nXử lý khủng hoảng truyền thông".to_owned()),
        starts_at,
        ends_at: starts_at + Duration::hours(8),
        place: Some("Hội trường Trung tâm Hội nghị tỉnh".to_owned()),
        online_url: None,
        mode: TrainingMode::InPerson,
        capacity,
        audience: vec![
            ParticipantCategory::Leader,
            ParticipantCategory::Spokesperson,
            ParticipantCategory::Officer,
            ParticipantCategory::Reporter,
        ],
        co_organizers: Vec::new(),
        materials: vec![(
            "Tài liệu tập huấn thông tin đối ngoại".to_owned(),
            "https://svhttdl.thanhhoa.gov.vn/tai-lieu/ttdn.pdf".to_owned(),
        )],
    };
    let september = crate::time::VIETNAM
        .with_ymd_and_hms(2020, 9, 17, 8, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad demo time")))?;
    let invited_2020: Vec<(&str, Option<i32>)> = vec![
        ("th.trieuson", Some(20)),
        ("th.thoxuan", Some(20)),
        ("th.samson", Some(20)),
        ("th.skhcn", Some(10)),
        ("th.sngv", Some(10)),
        ("th.baoth", Some(15)),
        ("th.ptth", Some(15)),
    ];
    let mut people = Vec::new();
    for (agency, quota) in &invited_2020 {
        let count = quota.unwrap_or(0) - 1;
        for n in 0..count {
            let press = agency.starts_with("th.baoth") || agency.starts_with("th.ptth");
            let category = if press {
                ParticipantCategory::Reporter
            } else {
                [
                    ParticipantCategory::Leader,
                    ParticipantCategory::Spokesperson,
                    ParticipantCategory::Officer,
                ][n as usize % 3]
            };
            let attended = Some(n % 12 != 11);
            people.push((
                AgencyId(demo_id(agency)),
                Registration {
                    full_name: demo_name(agency, 10 + n as u8),
                    title: None,
                    category,
                },
                attended,
            ));
        }
    }
    let invited: Vec<(AgencyId, Option<i32>)> = invited_2020
        .iter()
        .map(|(a, q)| (AgencyId(demo_id(a)), *q))
        .collect();
    let mut inserted = 0;
    inserted += usize::from(
        training::insert_demo(
            db,
            TrainingId(demo_id("training.th.2020")),
            session(
                "th.stttt",
                "Hội nghị tập huấn công tác thông tin đối ngoại năm 2020",
                september,
                120,
            ),
            &invited,
            &people,
        )
        .await?,
    );
    let soon = Utc::now() + Duration::days(14);
    let upcoming_invites: Vec<(AgencyId, Option<i32>)> = [
        ("th.trieuson", Some(5)),
        ("th.trieuson.danluc", Some(5)),
        ("th.thoxuan", Some(5)),
        ("th.baoth", Some(3)),
    ]
    .iter()
    .map(|(a, q)| (AgencyId(demo_id(a)), *q))
    .collect();
    inserted += usize::from(
        training::insert_demo(
            db,
            TrainingId(demo_id("training.th.upcoming")),
            session(
                "th.svhttdl",
                "Bồi dưỡng kỹ năng phát ngôn và cung cấp thông tin cho báo chí",
                soon,
                60,
            ),
            &upcoming_invites,
            &[],
        )
        .await?,
    );
    let district_invites = [
        (AgencyId(demo_id("th.trieuson.danluc")), Some(3)),
        (AgencyId(demo_id("th.trieuson.danly")), Some(3)),
    ];
    inserted += usize::from(
        training::insert_demo(
            db,
            TrainingId(demo_id("training.th.trieuson")),
            session(
                "th.trieuson",
                "Tập huấn TTĐN cho cán bộ cấp xã huyện Triệu Sơn",
                soon + Duration::days(7),
                30,
            ),
            &district_invites,
            &[],
        )
        .await?,
    );
    let cb_invites = [(AgencyId(demo_id("cb.thucphan")), Some(5))];
    inserted += usize::from(
        training::insert_demo(
            db,
            TrainingId(demo_id("training.cb")),
            session(
                "cb.svhttdl",
                "Tập huấn thông tin đối ngoại tỉnh Cao Bằng",
                soon + Duration::days(3),
                40,
            ),
            &cb_invites,
            &[],
        )
        .await?,
    );
    Ok(inserted)
}

/// Demo plans: the 2021 provincial plan (219/KH-UBND, seed 001) cascading to Triệu Sơn and to
/// Dân Lực (as seed 003 does for a commune), with tasks in every state; and a Cao Bằng plan.
async fn seed_plans<C: sea_orm::ConnectionTrait>(db: &C) -> AppResult<usize> {
    use entity::{
        ids::{PlanId, TaskId},
        plan_task::TaskStatus,
    };

    use crate::{
        document::{DocumentNumber, DocumentRef},
        plan::service::{self as plans, NewPlan, NewTask},
    };

    let task = |key: &str,
                content: &str,
                lead: &str,
                coordinators: &[&str],
                due: Option<NaiveDate>,
                status| {
        (
            TaskId(demo_id(key)),
            NewTask {
                content: content.to_owned(),
                lead: AgencyId(demo_id(lead)),
                coordinators: coordinators.iter().map(|c| AgencyId(demo_id(c))).collect(),
                due_date: due,
            },
            status,
        )
    };
    let plan = |agency: &str,
                year: i32,
                number: Option<(&str, (i32, u32, u32))>,
                title: &str,
                implements: Option<&str>|
     -> AppResult<NewPlan> {
        Ok(NewPlan {
            agency: AgencyId(demo_id(agency)),
            year,
            document: match number {
                Some((n, d)) => Some(DocumentRef { number: DocumentNumber::parse("number", n)?, date: date(d)? }),
                None => None,
            },
            title: title.to_owned(),
            purpose: Some("Tăng cường quản lý nhà nước về TTĐN; quảng bá hình ảnh địa phương; đấu tranh với thông tin sai trái.".to_owned()),
            budget_note: Some("Kinh phí bố trí trong dự toán ngân sách hằng năm.".to_owned()),
            implements: implements.map(|k| PlanId(demo_id(k))),
        })
    };
    let end_2021 = Some(date((2021, 12, 31))?);
    let soon = Some(crate::time::today() + chrono::Duration::days(30));
    let mut inserted = 0;
    let rows = vec![
        (
            "plan.th.2021",
            plan(
                "th",
                2021,
                Some(("219/KH-UBND", (2020, 10, 11))),
                "Kế hoạch công tác thông tin đối ngoại tỉnh Thanh Hóa năm 2021",
                None,
            )?,
            vec![
                task(
                    "task.th.1",
                    "Tổ chức hội nghị cung cấp thông tin cho báo chí định kỳ",
                    "th.svhttdl",
                    &[],
                    end_2021,
                    TaskStatus::Done,
                ),
                task(
                    "task.th.2",
                    "Quảng bá hình ảnh tỉnh tại các sự kiện đối ngoại",
                    "th.sngv",
                    &["th.svhttdl"],
                    end_2021,
                    TaskStatus::InProgress,
                ),
                task(
                    "task.th.3",
                    "Tập huấn công tác TTĐN cho cán bộ cơ sở",
                    "th.trieuson",
                    &["th.svhttdl"],
                    Some(date((2021, 10, 31))?),
                    TaskStatus::NotStarted,
                ),
                task(
                    "task.th.4",
                    "Tuyên truyền về Cảng hàng không Thọ Xuân",
                    "th.thoxuan",
                    &[],
                    end_2021,
                    TaskStatus::Cancelled,
                ),
            ],
        ),
        (
            "plan.trieuson.2021",
            plan(
                "th.trieuson",
                2021,
                Some(("149/KH-UBND", (2020, 12, 26))),
                "Kế hoạch hoạt động thông tin đối ngoại huyện Triệu Sơn năm 2021",
                Some("plan.th.2021"),
            )?,
            vec![
                task(
                    "task.ts.1",
                    "Cập nhật thông tin đối ngoại trên Cổng thông tin điện tử huyện",
                    "th.trieuson",
                    &[],
                    end_2021,
                    TaskStatus::Done,
                ),
                task(
                    "task.ts.2",
                    "Tuyên truyền về chủ quyền biển, đảo tại các xã",
                    "th.trieuson.danluc",
                    &["th.trieuson.danly"],
                    Some(date((2021, 11, 30))?),
                    TaskStatus::NotStarted,
                ),
            ],
        ),
        (
            "plan.danluc.2021",
            plan(
                "th.trieuson.danluc",
                2021,
                None,
                "Kế hoạch hoạt động thông tin đối ngoại xã Dân Lực năm 2021",
                Some("plan.trieuson.2021"),
            )?,
            vec![task(
                "task.dl.1",
                "Quảng bá sản phẩm OCOP của xã",
                "th.trieuson.danluc",
                &[],
                soon,
                TaskStatus::InProgress,
            )],
        ),
        (
            "plan.cb.2026",
            plan(
                "cb",
                2026,
                Some(("95/KH-UBND", (2026, 1, 10))),
                "Kế hoạch công tác thông tin đối ngoại tỉnh Cao Bằng năm 2026",
                None,
            )?,
            vec![task(
                "task.cb.1",
                "Quảng bá Công viên địa chất Non nước Cao Bằng",
                "cb.thucphan",
                &[],
                soon,
                TaskStatus::InProgress,
            )],
        ),
    ];
    for (key, new, tasks) in rows {
        inserted += usize::from(plans::insert_demo(db, PlanId(demo_id(key)), new, tasks).await?);
    }
    Ok(inserted)
}
