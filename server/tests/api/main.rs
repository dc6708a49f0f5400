//! Integration tests: the real application on a fresh, migrated database per test, spoken to
//! over HTTP as a browser would. The backend is SQLite unless `TEST_DATABASE_URL` names a
//! PostgreSQL server, on which each test creates its own database.

mod after_release;
mod audit;
mod api_v1;
mod api_v1_products;
mod auth;
mod demo;
mod devices;
mod drafts;
mod hardening;
mod hardening_connections;
mod hardening_data;
mod hardening_lists;
mod hardening_sign_in;
mod helpers;
mod images;
mod logs;
mod marketplace;
mod notifications;
mod pages;
mod price_notices;
mod purchases_once;
mod receivers;
mod release;
mod review;
mod review_calendar;
mod review_listing;
