from django.urls import path

from recommender import views

app_name = "recommender"

urlpatterns = [
    path("", views.home, name="home"),
    path("recommend/", views.recommend, name="recommend"),
    path("recommend/<uuid:public_id>/", views.upload_result, name="upload-result"),
    path("recommend/<uuid:public_id>/correct/", views.correct_upload, name="upload-correct"),
    path("feedback/", views.feedback, name="feedback"),
    path("garments/<int:pk>/", views.garment_detail, name="garment-detail"),
    path("goes-with/<str:slot>/<str:color>/", views.goes_with, name="goes-with"),
]
