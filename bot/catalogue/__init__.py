"""Comptoir's product catalogue: a generated French catalogue and hybrid product search.

Importing this package is cheap; nothing heavy loads before it is used.

    from bot.catalogue.generate import generate          # seed -> the same 3,000 products
    from bot.catalogue.search import ProductSearch
    from bot.kb.encoders import get_encoder

    search = ProductSearch(generate(), get_encoder("e5"), cache_dir=Path("var/catalogue"))
    result = search.search("vous l'avez encore en 42 la bottine chelsea noire ?", k=3)
    result.query.constraints()   # {"size": "42", "colour": "noir", "in_stock": True}
    result.hits[0].product, result.hits[0].variant, result.hits[0].relaxed
    search.upsert([product]); search.remove(["MOD-1001"])   # live, no rebuild

The action server uses `live.LiveCatalogue` (the shop's feed, kept in step, searched).

Modules: models (Product, Variant), wire (to and from the shop contract's products), live,
vocab (the words the generator and the parser share), legacy (the demo shop's own products),
generate, query (constraints from a sentence), index (FAISS + TF-IDF, updatable), search,
devset / evaluate (the dev set and its scores), bench (FAISS index choice at scale), cli
(`python -m bot.catalogue …`).
"""
