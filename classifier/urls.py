from django.urls import path

from classifier import views

urlpatterns = [
    path("model/", views.model_card, name="model-card"),
    path("model/figures/<str:name>", views.model_card_figure, name="model-card-figure"),
]
