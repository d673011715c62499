from bot.core.normalise import clean_for_encoder, fold, has_content, normalise, truncate


def test_fold_removes_accents_and_case() -> None:
    assert fold("Où est ÉLODIE, cœur") == "ou est elodie, coeur"


def test_normalise_expands_sms_and_folds() -> None:
    assert normalise("Cmt j'obtiens ma FACTURE ?") == "comment j obtiens ma facture"
    assert normalise("fdp offerts dès 60€ ??") == "frais de port offerts des 60 euros"
    assert normalise("mdp perdu stp") == "mot de passe perdu s il te plait"


def test_normalise_collapses_elongations_and_times() -> None:
    assert normalise("merciiiii") == "merci"
    assert normalise("payer en 3x") == "payer en 3 fois"


def test_clean_for_encoder_keeps_accents_and_expands() -> None:
    assert (
        clean_for_encoder("pk ma cmd n'est pas arrivée ?")
        == "pourquoi ma commande n'est pas arrivée ?"
    )


def test_has_content_rejects_empty_and_emoji_only() -> None:
    assert not has_content("")
    assert not has_content("   ")
    assert not has_content("😀😡👍 !!")
    assert has_content("ok 👍")


def test_truncate_cuts_at_a_word_boundary() -> None:
    text = "livraison " * 2000
    cut = truncate(text, 1000)
    assert len(cut) <= 1000 and cut.endswith("livraison")
    assert truncate("court", 1000) == "court"
