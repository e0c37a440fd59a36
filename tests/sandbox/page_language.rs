//! The sandbox's hosted page speaks the language the payment asked for (`language` az/en/ru):
//! its own labels, and EPoint's official status text on the result page.

use epoint_az::Language;
use epoint_az_sandbox::{Outcome, Sandbox};
use rust_decimal_macros::dec;

async fn get(url: &str) -> String {
    epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client")
        .get(url)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body")
}

#[tokio::test]
async fn the_hosted_page_and_its_result_page_speak_the_payments_language() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let cases = [
        // (language, the page's button, EPoint's text of a successful payment, of a failed one)
        (
            Language::Az,
            ">Ödə</button>",
            "Ödəniş uğurla edildi",
            "Ödəniş zamanı xəta baş verdi",
        ),
        (
            Language::En,
            ">Pay</button>",
            "Successful payment",
            "An error occurred during payment",
        ),
        (
            Language::Ru,
            ">Оплатить</button>",
            "Платеж выполнен удачно",
            "Во время платежа возникла ошибка",
        ),
    ];
    for (n, (language, button, paid, failed)) in cases.into_iter().enumerate() {
        let page = client
            .pay(dec!(5.00), format!("lang-{n}"))
            .language(language)
            .await
            .expect("created");
        let html = get(&page.redirect_url).await;
        assert!(
            html.contains(&format!("<html lang=\"{language}\">")),
            "{html}"
        );
        assert!(html.contains(button), "{language}: {html}");

        let done = sandbox
            .complete(&page.transaction, Outcome::Paid)
            .await
            .expect("paid");
        let result = get(&done.redirect_to).await;
        assert!(
            result.contains(&format!("<h1 id=\"title\">{paid}</h1>")),
            "{language}: {result}"
        );

        let declined = client
            .pay(dec!(5.00), format!("lang-declined-{n}"))
            .language(language)
            .await
            .expect("created");
        let done = sandbox
            .complete(&declined.transaction, Outcome::Declined("116".into()))
            .await
            .expect("declined");
        let result = get(&done.redirect_to).await;
        assert!(
            result.contains(&format!("<h1 id=\"title\">{failed}</h1>")),
            "{language}: {result}"
        );
    }

    // A card page follows the registration's language too.
    let card = client
        .save_card()
        .language(Language::Ru)
        .await
        .expect("card page");
    let html = get(&card.redirect_url).await;
    assert!(html.contains(">Сохранить карту</button>"), "{html}");
    assert!(html.contains("Номер карты"), "{html}");
}
