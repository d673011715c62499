"""The demo shop's own products, the first of the generated catalogue: the demo shop seeds its
orders from them (bot/demo_shop/seed.py), so an order placed on MOD-1001 points at a real
product of the catalogue. Stocks are fixed so that the claim rules (reship if in stock, else
refund) can be shown. SKUs: prefix + running number (MOD-1001…)."""

from __future__ import annotations

PRODUCTS = {
    ("MOD", "mode"): [
        ("Pull col rond en laine mérinos", 59.90, 34),
        ("Jean droit brut", 69.00, 21),
        ("Chemise en lin blanche", 45.00, 18),
        ("Robe midi fleurie", 55.00, 12),
        ("Baskets en cuir blanc", 89.00, 9),
        ("Trench beige", 129.00, 0),
        ("T-shirt en coton bio", 19.90, 80),
        ("Écharpe en cachemire", 79.00, 6),
    ],
    ("MAI", "maison"): [
        ("Plaid en laine tricotée", 49.90, 15),
        ("Parure de lit en lin lavé 240 x 260", 139.00, 7),
        ("Lot de 4 verres à vin", 24.90, 40),
        ("Bougie parfumée figue", 22.00, 55),
        ("Coussin en velours moutarde", 29.90, 0),
        ("Cocotte en fonte 24 cm", 119.00, 4),
    ],
    ("ELM", "petit électroménager"): [
        ("Bouilloire électrique inox 1,7 L", 39.90, 25),
        ("Grille-pain 2 fentes", 34.90, 17),
        ("Blender 1,5 L", 69.90, 0),
        ("Machine à café à capsules", 99.00, 11),
        ("Fer à repasser vapeur", 49.90, 13),
    ],
    ("HTC", "high-tech"): [
        ("Écouteurs sans fil Bluetooth", 79.00, 22),
        ("Enceinte portable étanche", 59.90, 14),
        ("Chargeur USB-C 65 W", 34.90, 60),
        ("Montre connectée sport", 149.00, 0),
        ("Batterie externe 10 000 mAh", 29.90, 38),
    ],
    ("COS", "cosmétiques"): [
        ("Crème hydratante visage 50 ml", 24.50, 45),
        ("Sérum à la vitamine C 30 ml", 32.00, 27),
        ("Palette de fards à paupières", 38.00, 10),
        ("Rouge à lèvres mat", 19.90, 50),
    ],
    ("PAR", "parfum"): [
        ("Eau de parfum Fleur d'oranger 50 ml", 68.00, 16),
        ("Eau de toilette Vétiver 100 ml", 74.00, 8),
        ("Brume parfumée Ambre 75 ml", 29.00, 0),
    ],
    ("LIN", "lingerie"): [
        ("Soutien-gorge en dentelle", 39.90, 19),
        ("Culottes en coton bio (lot de 3)", 24.90, 30),
        ("Maillot de bain une pièce", 49.00, 9),
        ("Boxers en coton (lot de 3)", 29.90, 26),
    ],
    ("CAD", "cartes cadeaux"): [
        ("Carte cadeau 25 €", 25.00, 999),
        ("Carte cadeau 50 €", 50.00, 999),
        ("Carte cadeau 100 €", 100.00, 999),
    ],
    ("PER", "personnalisé"): [
        ("Mug personnalisé avec prénom", 16.90, 100),
        ("Tote bag brodé à vos initiales", 24.90, 100),
        ("Coussin photo personnalisé", 34.90, 100),
        ("Bracelet gravé", 39.00, 100),
    ],
}
# sku, name, category, price, stock
CATALOGUE: list[tuple[str, str, str, float, int]] = [
    (f"{prefix}-{1000 * n + i}", name, category, price, stock)
    for n, ((prefix, category), items) in enumerate(PRODUCTS.items(), 1)
    for i, (name, price, stock) in enumerate(items, 1)
]
